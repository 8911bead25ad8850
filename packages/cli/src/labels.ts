import type { EvidenceProblem, Locale, RiskBand, RiskSubjectType, VerifyFailureReason } from '@guard/core';

/** The words of the CLI's reports (table and HTML), in each locale. */
export interface Labels {
  readonly locale: Locale;
  readonly band: Record<RiskBand, string>;
  readonly scoreHeader: readonly [subject: string, score: string, band: string, rules: string];
  readonly scored: (n: number, bands: Record<RiskBand, number>) => string;
  readonly moreRules: (n: number) => string;
  readonly backtestOf: string;
  readonly vsBaseline: string;
  readonly history: (
    snapshots: number,
    subjects: number,
    noun: string,
    positives: number,
    from: string,
    to: string,
  ) => string;
  readonly subjects: Record<RiskSubjectType, string>;
  /** `guard simulate`: what was simulated. */
  readonly simulated: (seed: number, branches: number, staff: number, customers: number, months: number) => string;
  /** `guard simulate`: one history written. */
  readonly wroteHistory: (file: string, snapshots: number, subjects: number, noun: string, positives: number) => string;
  readonly simulatedIn: (seconds: string) => string;
  readonly tryNext: (poachingFile: string) => string;
  /** `guard migrate`. */
  readonly migrated: (database: string, applied: number, schemaVersion: number) => string;
  /** `guard audit verify`. */
  readonly chainIntact: (tenant: string, entries: number, headSeq: number, headHash: string) => string;
  /** With the public key only: links and checkpoint signatures, no seals. */
  readonly chainLinked: (tenant: string, entries: number, headSeq: number, headHash: string) => string;
  readonly chainBroken: (
    tenant: string,
    firstBadSeq: number,
    reason: string,
    entries: number,
    lastGood: number,
  ) => string;
  readonly noSuchTenant: (tenant: string, database: string) => string;
  /** `guard evidence verify`. */
  readonly packIntact: (
    file: string,
    tenant: string,
    employee: string,
    entries: number,
    checkpointSeq: number,
  ) => string;
  readonly packBroken: (
    file: string,
    problem: EvidenceProblem,
    seq: number | null,
    reason: VerifyFailureReason | null,
  ) => string;
  /** `guard worker`. */
  readonly workerRound: (
    at: string,
    r: {
      timersFired: number;
      timersDropped: number;
      effectsDelivered: number;
      effectsFailed: number;
      effectsDead: number;
    },
  ) => string;
  readonly workerStarted: (workerId: string, database: string, every: number) => string;
  readonly workerStopped: string;
  readonly pack: string;
  readonly baseline: string;
  readonly change: string;
  readonly precision: string;
  readonly recall: string;
  readonly f1: string;
  readonly alertRate: (subject: RiskSubjectType) => string;
  readonly episodes: string;
  readonly staffMonths: string;
  readonly tp: string;
  readonly fp: string;
  readonly fn: string;
  readonly tn: string;
  readonly late: string;
  readonly leadMedian: string;
  readonly leadQuartiles: string;
  readonly confusion: string;
  readonly labelledPositive: string;
  readonly labelledNegative: string;
  readonly alertedInTime: string;
  readonly notAlerted: (late: number) => string;
  readonly byGroup: string;
  readonly groupHeader: readonly string[];
  readonly noGroup: string;
  readonly changes: string;
  readonly added: (n: number, catches: number, falseAlarms: number) => string;
  readonly removed: (n: number, catches: number, falseAlarms: number) => string;
  readonly noChanges: string;
  readonly positive: string;
  readonly negative: string;
  readonly firstAlert: string;
  readonly score: string;
  readonly more: (n: number) => string;
  readonly histogram: string;
  readonly monthly: string;
  readonly alerts: string;
  readonly alertsHeader: readonly string[];
  readonly lateMark: string;
  readonly none: string;
}

const en: Labels = {
  locale: 'en',
  band: { alert: 'alert', watch: 'watch', normal: 'normal' },
  scoreHeader: ['SUBJECT', 'SCORE', 'BAND', 'TOP RULES'],
  scored: (n, b) => `${n} scored: ${b.alert} alert, ${b.watch} watch, ${b.normal} normal`,
  moreRules: (n) => `${n} more`,
  backtestOf: 'Backtest of',
  vsBaseline: 'against the baseline',
  history: (snapshots, subjects, noun, positives, from, to) =>
    `History: ${num(snapshots)} snapshots of ${num(subjects)} ${noun} (${num(positives)} labelled positive), ${from} to ${to}`,
  subjects: { employee: 'employees', customer: 'customers' },
  simulated: (seed, branches, staff, customers, months) =>
    `Simulated a sales organisation (seed ${seed}): ${num(branches)} branch${branches === 1 ? '' : 'es'}, ${num(staff)} staff, ${num(customers)} customers, ${months} months`,
  wroteHistory: (file, snapshots, subjects, noun, positives) =>
    `${file}: ${num(snapshots)} snapshots of ${num(subjects)} ${noun}, ${num(positives)} positive`,
  simulatedIn: (seconds) => `Done in ${seconds} s. Try:`,
  tryNext: (file) => `  guard rules backtest --pack builtin:employee-data-exfiltration --history ${file}`,
  migrated: (database, applied, version) =>
    applied === 0
      ? `${database}: already up to date (schema version ${version})`
      : `${database}: applied ${num(applied)} migration${applied === 1 ? '' : 's'}; schema version ${version}`,
  chainIntact: (tenant, entries, seq, hash) =>
    `✔ ${tenant}: the audit chain verifies — ${num(entries)} entries, every seal and checkpoint signature checked; head #${seq} ${hash.slice(0, 16)}…`,
  chainLinked: (tenant, entries, seq, hash) =>
    `✔ ${tenant}: the audit chain's links and checkpoint signatures verify — ${num(entries)} entries; seals not checked (public key only), so entries after the last checkpoint are vouched for by their links alone; head #${seq} ${hash.slice(0, 16)}…`,
  chainBroken: (tenant, bad, reason, entries, lastGood) =>
    `✖ ${tenant}: the audit chain is broken at #${bad} (${reason}${reason === 'seal-mismatch' ? ': the entry was changed, or these are not the keys it was sealed with' : ''}); ${lastGood === 0 ? 'no entry before it' : `#1–#${lastGood} verify (${num(entries)} entries)`}. Keep the database as it is and compare with your last exported checkpoint`,
  noSuchTenant: (tenant, database) => `${database}: no tenant "${tenant}"; check --tenant and --db`,
  packIntact: (file, tenant, employee, entries, seq) =>
    `✔ ${file}: the evidence pack of ${employee} (tenant ${tenant}) verifies — the checkpoint's signature, ${num(entries)} audit entries linked up to checkpoint #${seq}, every section against its manifest`,
  packBroken: (file, problem, seq, reason) =>
    `✖ ${file}: the evidence pack does not verify — ${
      {
        malformed: 'it is not an evidence pack Guard wrote',
        'checkpoint-key-unknown': 'the key its checkpoint names is not the one given',
        'checkpoint-signature': 'the checkpoint’s signature does not match: wrong key, or the checkpoint was altered',
        chain: `the audit entries do not link${reason === null ? '' : ` (${reason})`}`,
        'run-not-at-checkpoint': 'its audit entries do not end at the signed checkpoint',
        'referenced-entry-mismatch': 'an entry it cites is not the entry in its run',
        'agreement-mismatch': 'a signed agreement’s text or signature does not match',
        'manifest-mismatch': 'a section was changed after the pack was exported',
      }[problem]
    }${seq === null ? '' : ` (at #${seq})`}. Keep the file as it is and ask for a new export`,
  workerRound: (at, r) =>
    `${at} timers: ${num(r.timersFired)} fired, ${num(r.timersDropped)} dropped; effects: ${num(r.effectsDelivered)} delivered, ${num(r.effectsFailed)} to retry, ${num(r.effectsDead)} dead`,
  workerStarted: (id, database, every) =>
    `worker ${id} on ${database}: running what is due every ${every} s; Ctrl-C (SIGINT) or SIGTERM stops it after the current round`,
  workerStopped: 'worker stopped',
  pack: 'pack',
  baseline: 'baseline',
  change: 'change',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  alertRate: (s) => `Alerts per 100 ${s === 'employee' ? 'staff' : 'customers'} per month`,
  episodes: 'Alert episodes',
  staffMonths: 'Subject-months',
  tp: 'True positives (caught)',
  fp: 'False positives (false alarms)',
  fn: 'False negatives (missed)',
  tn: 'True negatives',
  late: '  of which alerted too late',
  leadMedian: 'Lead time, median (days)',
  leadQuartiles: 'Lead time, p25–p75 (days)',
  confusion: 'Confusion matrix (subjects)',
  labelledPositive: 'labelled positive',
  labelledNegative: 'labelled negative',
  alertedInTime: 'alerted in time',
  notAlerted: (late) => `not alerted${late > 0 ? ` (${late} late)` : ''}`,
  byGroup: 'By group',
  groupHeader: ['GROUP', 'SUBJECTS', 'POSITIVE', 'ALERTED', 'TP', 'FP', 'FN', 'TN'],
  noGroup: '(no group)',
  changes: 'Changes against the baseline',
  added: (n, c, f) =>
    `+ ${n} newly alerted: ${c} true catch${c === 1 ? '' : 'es'} gained, ${f} false alarm${f === 1 ? '' : 's'} added`,
  removed: (n, c, f) =>
    `− ${n} no longer alerted: ${c} true catch${c === 1 ? '' : 'es'} lost, ${f} false alarm${f === 1 ? '' : 's'} removed`,
  noChanges: 'The same subjects are alerted in time.',
  positive: 'positive',
  negative: 'negative',
  firstAlert: 'first alert',
  score: 'score',
  more: (n) => `… and ${num(n)} more (see --format json)`,
  histogram: 'Highest score per subject',
  monthly: 'Alert episodes per month',
  alerts: 'Alert episodes',
  alertsHeader: ['at', 'subject', 'group', 'label', 'score', 'rules'],
  lateMark: 'after the deadline',
  none: '–',
};

const zhCN: Labels = {
  locale: 'zh-CN',
  band: { alert: '警报', watch: '关注', normal: '正常' },
  scoreHeader: ['对象', '分数', '等级', '主要规则'],
  scored: (n, b) => `已评分 ${n} 个：警报 ${b.alert}，关注 ${b.watch}，正常 ${b.normal}`,
  moreRules: (n) => `另 ${n} 条`,
  backtestOf: '回测',
  vsBaseline: '对比基线',
  history: (snapshots, subjects, noun, positives, from, to) =>
    `历史数据：${num(subjects)} 名${noun}的 ${num(snapshots)} 个快照（${num(positives)} 名标注为阳性），${from} 至 ${to}`,
  subjects: { employee: '员工', customer: '客户' },
  simulated: (seed, branches, staff, customers, months) =>
    `已模拟一个销售组织（种子 ${seed}）：${num(branches)} 个分公司、${num(staff)} 名员工、${num(customers)} 个客户、${months} 个月`,
  wroteHistory: (file, snapshots, subjects, noun, positives) =>
    `${file}：${num(subjects)} 名${noun}的 ${num(snapshots)} 个快照，${num(positives)} 名为阳性`,
  simulatedIn: (seconds) => `用时 ${seconds} 秒。可以接着运行：`,
  tryNext: (file) => `  guard rules backtest --pack builtin:employee-data-exfiltration --history ${file}`,
  migrated: (database, applied, version) =>
    applied === 0
      ? `${database}：已是最新（数据库结构版本 ${version}）`
      : `${database}：已执行 ${num(applied)} 个迁移；数据库结构版本 ${version}`,
  chainIntact: (tenant, entries, seq, hash) =>
    `✔ ${tenant}：审计链校验通过 —— 共 ${num(entries)} 条记录，每条封印和检查点签名均已核对；链头 #${seq} ${hash.slice(0, 16)}…`,
  chainLinked: (tenant, entries, seq, hash) =>
    `✔ ${tenant}：审计链的链接和检查点签名校验通过 —— 共 ${num(entries)} 条记录；未核对封印（仅有公钥），最后一个检查点之后的记录只由链接担保；链头 #${seq} ${hash.slice(0, 16)}…`,
  chainBroken: (tenant, bad, reason, entries, lastGood) =>
    `✖ ${tenant}：审计链在 #${bad} 处断裂（${reason}${reason === 'seal-mismatch' ? '：该记录被改动过，或所给密钥不是封印它的密钥' : ''}）；${lastGood === 0 ? '此前没有记录' : `#1–#${lastGood} 校验通过（${num(entries)} 条）`}。请保持数据库原样，并与最近导出的检查点比对`,
  noSuchTenant: (tenant, database) => `${database}：没有租户「${tenant}」；请检查 --tenant 和 --db`,
  packIntact: (file, tenant, employee, entries, seq) =>
    `✔ ${file}：${employee}（租户 ${tenant}）的证据包校验通过 —— 检查点签名、截至检查点 #${seq} 的 ${num(entries)} 条审计记录链接、各部分与清单均已核对`,
  packBroken: (file, problem, seq, reason) =>
    `✖ ${file}：证据包校验未通过 —— ${
      {
        malformed: '这不是本系统导出的证据包',
        'checkpoint-key-unknown': '检查点所用的密钥不是所给的密钥',
        'checkpoint-signature': '检查点签名不符：密钥不对，或检查点被改动过',
        chain: `审计记录链接断开${reason === null ? '' : `（${reason}）`}`,
        'run-not-at-checkpoint': '审计记录未延续到已签名的检查点',
        'referenced-entry-mismatch': '所引用的记录与包内记录不一致',
        'agreement-mismatch': '已签协议的文本或签名不符',
        'manifest-mismatch': '导出后有部分内容被改动',
      }[problem]
    }${seq === null ? '' : `（#${seq}）`}。请保留该文件原样，并重新导出`,
  workerRound: (at, r) =>
    `${at} 定时任务：触发 ${num(r.timersFired)} 个，丢弃 ${num(r.timersDropped)} 个；待投递事项：已投递 ${num(r.effectsDelivered)} 个，待重试 ${num(r.effectsFailed)} 个，放弃 ${num(r.effectsDead)} 个`,
  workerStarted: (id, database, every) =>
    `工作进程 ${id}（${database}）：每 ${every} 秒处理一次到期事项；按 Ctrl-C（SIGINT）或发送 SIGTERM，在本轮结束后停止`,
  workerStopped: '工作进程已停止',
  pack: '规则包',
  baseline: '基线',
  change: '变化',
  precision: '精确率',
  recall: '召回率',
  f1: 'F1',
  alertRate: (s) => `每 100 名${s === 'employee' ? '员工' : '客户'}每月警报数`,
  episodes: '警报次数',
  staffMonths: '对象·月数',
  tp: '真阳性（抓到）',
  fp: '假阳性（误报）',
  fn: '假阴性（漏报）',
  tn: '真阴性',
  late: '  其中警报过晚',
  leadMedian: '提前天数（中位数）',
  leadQuartiles: '提前天数（p25–p75）',
  confusion: '混淆矩阵（对象数）',
  labelledPositive: '标注阳性',
  labelledNegative: '标注阴性',
  alertedInTime: '及时警报',
  notAlerted: (late) => `未警报${late > 0 ? `（${late} 个过晚）` : ''}`,
  byGroup: '按分组',
  groupHeader: ['分组', '对象', '阳性', '警报', 'TP', 'FP', 'FN', 'TN'],
  noGroup: '（无分组）',
  changes: '相对基线的变化',
  added: (n, c, f) => `+ 新增警报 ${n} 个：多抓到 ${c} 个，多误报 ${f} 个`,
  removed: (n, c, f) => `− 不再警报 ${n} 个：少抓到 ${c} 个，少误报 ${f} 个`,
  noChanges: '及时警报的对象与基线相同。',
  positive: '阳性',
  negative: '阴性',
  firstAlert: '首次警报',
  score: '分数',
  more: (n) => `… 另有 ${num(n)} 个（见 --format json）`,
  histogram: '每个对象的最高分',
  monthly: '每月警报次数',
  alerts: '警报',
  alertsHeader: ['时间', '对象', '分组', '标注', '分数', '规则'],
  lateMark: '晚于截止时间',
  none: '–',
};

/** The labels of a locale. */
export function labelsFor(locale: Locale): Labels {
  return locale === 'zh-CN' ? zhCN : en;
}

/** 1,234,567 */
export function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.8182 → `81.8%`; null → `–`. */
export function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(1)}%`;
}

/** A number with `digits` decimals; null → `–`. */
export function fixed(x: number | null, digits = 1): string {
  return x === null ? '–' : x.toFixed(digits);
}

/** The date part of an ISO time (UTC). */
export function day(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(0, 10);
}

/** Display width: CJK characters take two columns. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

/** Pads to a display width, on the right (`left`) or on the left. */
export function pad(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** Lays out rows as columns; `right` lists the right-aligned column indexes. */
export function columns(rows: readonly (readonly string[])[], right: readonly number[] = [], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) =>
          i === row.length - 1 && !right.includes(i)
            ? cell
            : pad(cell, widths[i] as number, right.includes(i) ? 'right' : 'left'),
        )
        .join('  ')
        .trimEnd(),
  );
}

/** A subject string made safe for one terminal line (no control characters). */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
