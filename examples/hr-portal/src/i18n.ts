// The portal's own words, zh-CN first. Guard's words (notices, errors, field
// levels) come from Guard's catalog in the same language: see `messages()`.
import type { Locale } from '@guard/core';

/** The portal speaks Guard's two languages. */
export type PortalLocale = Locale;

export const LOCALES: readonly PortalLocale[] = ['zh-CN', 'en'];

export function isLocale(value: unknown): value is PortalLocale {
  return value === 'zh-CN' || value === 'en';
}

const zh = {
  product: '慧人 HR',
  tagline: '客户资产保护由 Guard 提供',
  language: 'English',
  login: '登录',
  logout: '退出',
  username: '用户名',
  password: '密码',
  badLogin: '用户名或密码不正确。',
  signedInAs: (name: string) => `当前用户：${name}`,
  customers: '客户',
  scope: { own: '我的客户', team: '团队客户', pool: '公海', tenant: '全部客户' },
  name: '客户名称',
  owner: '负责人',
  noOwner: '（公海）',
  city: '城市',
  industry: '行业',
  contact: '联系人',
  phone: '电话',
  email: '邮箱',
  creditLimit: '授信额度',
  annualRevenue: '年营业额',
  noCustomers: '此范围内没有您可查看的客户。',
  next: '下一页',
  hidden: '无权查看',
  fieldClass: { public: '公开信息', contact: '联系方式', commercial: '商业信息' } as Record<string, string>,
  masked: '已脱敏',
  back: '返回客户列表',
  refused: '无法显示',
  notFound: '页面不存在。',
  csrf: '表单已过期，请返回后重试。',
};

type Texts = typeof zh;

const en: Texts = {
  product: 'HumanWorks HR',
  tagline: 'Customer protection by Guard',
  language: '中文',
  login: 'Log in',
  logout: 'Log out',
  username: 'Username',
  password: 'Password',
  badLogin: 'Wrong username or password.',
  signedInAs: (name) => `Signed in as ${name}`,
  customers: 'Customers',
  scope: { own: 'My customers', team: 'Team', pool: 'Public pool', tenant: 'All customers' },
  name: 'Customer',
  owner: 'Owner',
  noOwner: '(public pool)',
  city: 'City',
  industry: 'Industry',
  contact: 'Contact',
  phone: 'Phone',
  email: 'E-mail',
  creditLimit: 'Credit limit',
  annualRevenue: 'Annual revenue',
  noCustomers: 'No customers you may see in this scope.',
  next: 'Next page',
  hidden: 'Not permitted',
  fieldClass: { public: 'Public', contact: 'Contact details', commercial: 'Commercial' },
  masked: 'masked',
  back: 'Back to customers',
  refused: 'Cannot show this',
  notFound: 'No such page.',
  csrf: 'This form has expired: go back and try again.',
};

export function texts(locale: PortalLocale): Texts {
  return locale === 'en' ? en : zh;
}

export type { Texts };
