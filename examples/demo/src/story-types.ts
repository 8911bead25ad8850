import type { Guard } from '@guard/core';

/**
 * What the workflow story remembers between steps: what a host's UI would
 * know (ids it was given back), the time, and the id counters. It is plain
 * JSON, so a test can restart the process between any two steps.
 */
export interface StoryMemo {
  now: string;
  ids: Record<string, number>;
  runTag: string;
  claimId?: string;
  claimApprovalId?: string;
  exportId?: string;
  exportApprovalId?: string;
  deleteAlertId?: string;
  caseId?: string;
  findings: Record<string, string | number | boolean>;
}

/** One step of the story; `say` narrates. */
export interface StoryStep {
  readonly name: string;
  run(guard: Guard, memo: StoryMemo, say: (line: string) => void, zh: boolean): Promise<void>;
}
