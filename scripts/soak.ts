/**
 * How hard a reliability suite works: its bounded CI size, or its soak size
 * under `GUARD_SOAK=1` (`pnpm test:soak`).
 */
export function soak<T>(sizes: { readonly ci: T; readonly soak: T }): T {
  return process.env.GUARD_SOAK === '1' ? sizes.soak : sizes.ci;
}
