import type * as z from 'zod';

const TYPES: Readonly<Record<string, string>> = {
  string: '字符串',
  number: '数字',
  int: '整数',
  bigint: '大整数',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  undefined: '空（未填写）',
  null: '空值',
  date: '日期',
  symbol: '符号',
  function: '函数',
  nan: '非数字',
  map: '映射',
  set: '集合',
  promise: '异步值',
  file: '文件',
  never: '（不允许任何值）',
  unknown: '任意值',
};

const FORMATS: Readonly<Record<string, string>> = {
  regex: '格式',
  email: '电子邮箱',
  url: '网址',
  uuid: '唯一标识（`UUID`）',
  datetime: '`ISO 8601` 日期时间',
  date: '`YYYY-MM-DD` 日期',
  time: '`HH:MM:SS` 时间',
  ipv4: '`IPv4` 地址',
  ipv6: '`IPv6` 地址',
  starts_with: '前缀',
  ends_with: '后缀',
  includes: '内容',
  lowercase: '小写',
  uppercase: '大写',
  base64: '`Base64` 编码',
};

const typeName = (t: string): string => TYPES[t] ?? `\`${t}\``;

function received(input: unknown): string {
  if (input === undefined) return 'undefined';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number') return Number.isNaN(input) ? 'nan' : 'number';
  if (input instanceof Date) return 'date';
  return typeof input;
}

const literal = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/**
 * zod's issues in Chinese without English words: type and format names are
 * translated, values and keys shown as code. zod's own zh-CN locale names
 * types in English ("期望 string"), which a zh-CN tenant must not see.
 * Returns `undefined` for an issue it does not know (zod's map then speaks).
 */
export function zhIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `必须填写${typeName(issue.expected)}`
        : `必须是${typeName(issue.expected)}（收到的是${typeName(received(issue.input))}）`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = String(small ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive !== false;
      const limit = small ? (inclusive ? '不能少于' : '必须多于') : inclusive ? '不能多于' : '必须少于';
      switch (issue.origin) {
        case 'string':
          return `长度${limit} ${bound} 个字符`;
        case 'array':
        case 'set':
          return `${limit} ${bound} 项`;
        case 'file':
          return `大小${limit} ${bound} 字节`;
        case 'date':
          return `${small ? (inclusive ? '不能早于' : '必须晚于') : inclusive ? '不能晚于' : '必须早于'} ${bound}`;
        default:
          return `${small ? (inclusive ? '不能小于' : '必须大于') : inclusive ? '不能大于' : '必须小于'} ${bound}`;
      }
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `必须是 ${literal(issue.values[0])}`
        : `必须是 ${issue.values.map(literal).join('、')} 之一`;
    case 'unrecognized_keys':
      return `不认识的键：${issue.keys.map(literal).join('、')}`;
    case 'invalid_format': {
      const format = FORMATS[issue.format] ?? literal(issue.format);
      return issue.format === 'regex' ? '格式不正确' : `不是有效的${format}`;
    }
    case 'not_multiple_of':
      return `必须是 ${String(issue.divisor)} 的倍数`;
    case 'invalid_union':
      return '不符合任何一种允许的格式';
    case 'invalid_key':
      return '含有无效的键';
    case 'invalid_element':
      return '含有无效的元素';
    default:
      return undefined;
  }
}
