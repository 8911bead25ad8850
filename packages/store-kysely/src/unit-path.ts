/**
 * Unit paths as text: `['hq', 'east', 'sh']` is `/hq/east/sh/`. The subtree
 * of a unit is then every path that starts with the unit's own path, which
 * is a range on the column — `path_key >= '/hq/east/' AND path_key <
 * '/hq/east0'` (`0` is the character after `/`) — that an index serves,
 * under a binary collation. Ids never contain `/` (see `idSchema`).
 */
export function unitPathKey(path: readonly string[]): string {
  return `/${path.join('/')}/`;
}

/** The half-open range `[from, to)` of the path keys in the subtree of the unit with this path key. */
export function subtreeRange(pathKey: string): { readonly from: string; readonly to: string } {
  return { from: pathKey, to: `${pathKey.slice(0, -1)}0` };
}

/** The prefix of `pathKey` up to and including the unit `unitId`, or `null` if the path does not contain it. */
export function prefixThrough(pathKey: string, unitId: string): string | null {
  const at = pathKey.indexOf(`/${unitId}/`);
  return at < 0 ? null : pathKey.slice(0, at + unitId.length + 2);
}
