import type { Action, VerifyFailureReason } from '../domain/vocabulary.js';
import type { AnomalyActivity, ApprovalKindName, MessageCatalog } from './catalog.js';
import { alertKindName, joined, kindName, list, money, refusal, s } from './format.js';

/** 文本中的人名：`孙丽（e-0025）`；通讯录中没有姓名时只写编号（后接空格）。 */
/** A name with its id; the id alone when there is no name, or the name is the id (an erased person or customer). */
const named = (name: string | null, id: string): string =>
  name === null || name === id ? `${id} ` : `${name}（${id}）`;
/** The same, the name in corner brackets. */
const quoted = (name: string | null, id: string): string =>
  name === null || name === id ? ` ${id} ` : `「${name}」（${id}）`;

/**
 * Every text Guard shows, in Simplified Chinese (zh-CN).
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('zh-CN').approvalTitles.export({ count: 1 }); // '导出 1 个客户'
 * ```
 */
export const zhCN: MessageCatalog = {
  errors: {
    VALIDATION_FAILED: ({ what, issues }) => ({
      message: `${zhCN.inputs[what] ?? what}无效，共 ${issues.length} 处问题：${list(issues, '；')}。`,
      hint: '未写入任何数据。请修正所列路径后重试。',
    }),
    NOT_FOUND: ({ entity, id, tenantId }) => ({
      message: `${tenantId ? `租户「${tenantId}」中` : ''}找不到${zhCN.entities[entity]}「${id}」。`,
      hint:
        entity === 'tenant'
          ? '请先调用 `guard.tenants.upsert({ id, name })` 创建租户。'
          : '请检查编号，或先将其同步到 Guard。',
    }),
    FORBIDDEN: ({ actorId, action, resourceId, reason }) => ({
      message: `「${actorId}」无权对「${resourceId}」执行「${zhCN.actions[action as Action] ?? action}」操作：${zhCN.reasons[reason]}`,
      hint: '请勿直接重试：访问策略禁止此操作。本次尝试已记入审计日志。',
    }),
    CONFLICT: ({ entity, id, expected, actual }) => ({
      message: `${zhCN.entities[entity]}「${id}」已被他人修改（期望版本 ${expected ?? '无'}，实际版本 ${actual ?? '无'}）。`,
      hint: '请重新加载，重新应用修改后再试。',
    }),
    STORE_FAILURE: ({ store, operation, detail }) => ({
      message: `存储（${store}）在执行「${operation}」时失败：${detail}`,
      hint: '请检查数据库是否可连接并已完成迁移；本次事务已回滚。',
    }),
    AUDIT_KEY_UNAVAILABLE: ({ tenantId, keyId }) => ({
      message: `租户「${tenantId}」没有可用的审计签名密钥${keyId ? `「${keyId}」` : ''}。`,
      hint: '请配置能提供该密钥的 `KeyProvider`（例如 `hmacKeys({ current, keys })`），并保留旧密钥用于校验。',
    }),
    AUDIT_CHAIN_BROKEN: ({ tenantId, firstBadSeq, reason }) => ({
      message: `租户「${tenantId}」的审计链在第 ${firstBadSeq} 条处断裂（${zhCN.auditFailures[reason as VerifyFailureReason] ?? reason}）；为避免为被篡改的审计链背书，未签署检查点。`,
      hint: '请调用 `audit.verify()` 查看详情，从备份恢复审计记录，并保留现场证据：有人改动过数据库。',
    }),
    DATA_KEY_UNAVAILABLE: ({ tenantId, subject, problem, keyId }) => {
      const whose = `租户「${tenantId}」中${zhCN.entities[subject.type]}「${subject.id}」的个人数据`;
      switch (problem) {
        case 'no-current-key':
          return {
            message: `无法加密${whose}：密钥提供方没有该租户用于 \`data-key\` 的密钥。`,
            hint: '请为 `KeyProvider` 配置用途为 `data-key` 的当前密钥（`hmacKeys` 可用于所有用途）；本次未写入任何数据。',
          };
        case 'unknown-key':
          return {
            message: `无法解密${whose}：密钥提供方已不再提供封装其数据密钥的密钥「${keyId ?? ''}」。`,
            hint: '请把已停用的密钥放回 `KeyProvider`；待 `privacy.rotateKeys()` 重新封装所有数据密钥后再移除。',
          };
        default:
          return {
            message: `无法解密${whose}：存储的密文或其封装的数据密钥未通过完整性校验。`,
            hint: '有人绕过 Guard 改动了数据库：请从备份恢复该行，并保留现场证据。',
          };
      }
    },
    LEGAL_HOLD: ({ tenantId, subject, holds }) => ({
      message: `租户「${tenantId}」中的${zhCN.entities[subject.type]}「${subject.id}」处于诉讼保留中，未删除任何数据：${holds
        .map((h) =>
          h.on.type === 'offboarding'
            ? `离职交接「${h.on.caseId}」上的保留「${h.id}」`
            : `第 ${h.on.exportSeq} 条审计记录导出的证据包上的保留「${h.id}」`,
        )
        .join('；')}。`,
      hint: '案件未结时请保留数据；结案后先解除保留（`privacy.release`），再重新删除。',
    }),
    WORKFLOW_REJECTED: ({ workflowId, machine, state, event, actorId }) => ({
      message: `${zhCN.machines[machine] ?? machine}流程「${workflowId}」当前处于「${state}」，不接受「${actorId}」的「${event}」操作。`,
      hint: '请重新加载流程：它可能已进入下一步，或此人在这一步无权操作。',
    }),
    WORKFLOW_VERSION_UNKNOWN: ({ workflowId, machine, version, known }) => ({
      message: `流程「${workflowId}」由${zhCN.machines[machine] ?? machine}状态机第 ${version} 版写入，而当前 Guard 只认识到第 ${known} 版。`,
      hint: '请将此进程的 Guard 升级到写入它的版本；未做任何修改。',
    }),
    ACTOR_BLOCKED: ({ actorId, action, alertId }) => ({
      message: `「${actorId}」因异常操作已被预警「${alertId}」拦截，暂不能批量执行「${zhCN.activities[action as AnomalyActivity] ?? action}」。`,
      hint: '需由主管审核并处理该预警（`alerts.resolve`）后才能恢复批量操作。',
    }),
    CONNECTOR_INCOMPLETE: ({ connector, missing }) => ({
      message: `连接器「${connector}」无法满足已启用功能的需要：${missing.map((m) => `「${zhCN.crmFeatures[m.feature]}」需要 \`${m.method}\``).join('；')}。`,
      hint: '请关闭该连接器不支持的功能，或换用实现了这些方法的连接器（或其新版本）。尚未启动任何任务。',
    }),
    CONNECTOR_FAILURE: ({ connector, operation, kind, detail, retryAfterMs }) => ({
      message: `连接器「${connector}」执行「${zhCN.crmOperations[operation]}」失败：${detail}`,
      hint: {
        auth: '客户管理系统拒绝了连接器的凭据，刷新令牌也无效：请检查应用标识与密钥（或私钥、企业应用密钥）是否正确、是否已被吊销，以及集成用户在客户管理系统中的权限。',
        'rate-limited': `客户管理系统的接口调用额度已用完${retryAfterMs === undefined ? '' : `，约 ${Math.ceil(retryAfterMs / 1000)} 秒后恢复`}；Guard 会稍后重试。若频繁出现，请降低同步频率或减小批量。`,
        unavailable:
          '客户管理系统未及时响应或发生服务器错误；Guard 会按退避策略重试。若持续出现，请检查网络及该系统的服务状态。',
        rejected:
          '客户管理系统拒绝了该请求本身：请修正详情中指出的问题（例如未映射的用户或已删除的记录）。原样重发不会成功。',
      }[kind],
    }),
    CALLBACK_REJECTED: ({ connector, reason }) => ({
      message: `一条自称来自「${connector}」的回调已被拒绝：${
        {
          signature: '签名不匹配',
          decrypt: '消息无法解密',
          receiver: '消息是为其他企业或应用加密的',
          format: '内容不是回调消息',
        }[reason]
      }。`,
      hint:
        reason === 'format'
          ? '请以 `HTTP 400` 应答。若真实回调也被拒绝，请检查系统中配置的回调地址。'
          : '请以 `HTTP 403` 应答。若真实回调也被拒绝，请检查回调配置中的 `Token`、`EncodingAESKey` 与企业编号；其余情况说明消息并非来自该系统。',
    }),
  },
  obligations: {
    'confidentiality-notice': '保密提示：本客户信息属于公司商业秘密，禁止复制或泄露。',
    approval: '此操作需先提交审批并获批准。',
    watermark: '导出文件将加上带有您员工编号的水印。',
    flag: '本次访问已被标记，待审查。',
  },
  reasons: {
    allowed: '访问策略允许。',
    'no-matching-rule': '没有任何规则授予此权限（默认拒绝）。',
    'denied-by-rule': '有拒绝规则禁止此访问。',
    'subject-frozen': '账号已冻结。',
    'subject-departed': '该员工已离职。',
    'resigning-restricted': '离职流程中的员工只能查看自己名下的客户。',
  },
  entities: {
    tenant: '租户',
    unit: '组织单元',
    employee: '员工',
    customer: '客户',
    workflow: '流程',
    alert: '预警',
    agreement: '协议',
    order: '订单',
    record: '记录',
    training: '培训任务',
    'rule pack': '规则包',
    'audit entry': '审计记录',
    checkpoint: '审计检查点',
    key: '密钥',
    'legal hold': '诉讼保留',
    settings: '租户设置',
  },
  alerts: {
    'bulk-view': '短时间内查看客户数量异常',
    'bulk-export': '短时间内导出客户数量异常',
    'bulk-delete': '短时间内删除客户数量异常',
    'after-hours-access': '非工作时间访问客户数据',
    'repeated-denied-access': '多次尝试查看无权访问的客户',
    'bulk-ownership-change': '短时间内客户归属变更次数异常',
    'follow-up-overdue': '客户长时间未跟进',
    'offboarding-escalated': '临近最后工作日，离职交接仍未完成',
    'handover-successor-unavailable': '客户无法交给接手人（接手人已不在职或未指定），需重新指定',
    'non-compete-compensation-overdue': '竞业限制补偿金未按时支付（竞业限制可能无法执行）',
    'agreement-unsigned': '多次提醒后协议仍未签署',
    'risk-threshold': '风险评分超过预警阈值',
    'outbox-effect-dead': '客户转移或通知多次重试后仍未送达',
    'crm-transfer-failed': '客户管理系统未能完成客户归属变更',
    'crm-owner-differs': '客户在客户管理系统中的负责人与本系统不一致',
    'audit-chain-broken': '审计日志校验失败',
  },
  actions: {
    read: '查看',
    update: '修改',
    delete: '删除',
    export: '导出',
    transfer: '转移',
    claim: '认领',
  },
  crmFeatures: {
    'customer-sync': '客户同步',
    'order-sync': '订单同步',
    'activity-sync': '跟进活动同步',
    'ownership-transfer': '客户归属转移',
  },
  crmOperations: {
    listCustomers: '读取客户',
    listOrders: '读取订单',
    listActivities: '读取跟进活动',
    mapUsers: '匹配员工与客户管理系统用户',
    transferOwnership: '转移客户归属',
    transferStatus: '查询待完成的转移',
    contactStats: '读取联系客户统计',
  },
  activities: {
    view: '查看',
    export: '导出',
    delete: '删除',
    ownershipChange: '归属变更',
    afterHours: '非工作时间访问',
    denied: '被拒绝的查看',
  },
  machines: {
    approval: '审批',
    claim: '认领',
    offboarding: '离职交接',
    agreement: '协议签署',
  },
  auditFailures: {
    'sequence-gap': '缺少审计记录',
    'sequence-disorder': '审计记录顺序错乱',
    'broken-link': '审计记录未链接到前一条',
    'wrong-tenant': '审计记录属于其他租户',
    'hash-mismatch': '审计记录被改动',
    'checkpoint-mismatch': '审计链与检查点不一致',
    truncated: '审计链末尾的记录被截去',
    'checkpoint-signature': '检查点签名无效',
    'seal-mismatch': '审计记录未用密钥封存',
    'head-mismatch': '审计链未结束于已封存的链头',
  },
  summaries: {
    anomaly: ({ name, employeeId, activity, count, windowMinutes, limit, resigning }) =>
      `${named(name, employeeId)}在 ${windowMinutes} 分钟内${zhCN.activities[activity]} ${count} 次（上限 ${limit}${resigning ? '，离职期间已调低' : ''}）。`,
    followUpOverdue: ({ ownerId, ownerName, count, customers, days }) =>
      `${named(ownerName, ownerId)}名下 ${count} 个客户已 ${days} 天以上没有跟进记录：${customers.join('、')}。`,
    successorUnavailable: ({ count, unplanned, employeeId, employeeName, to }) =>
      `${named(employeeName, employeeId)}的 ${count} 个客户无法交给接手人（${count - unplanned} 个的原定接手人已不在职，${unplanned} 个是交接清单生成后才归属其名下的），已转给${to === null ? '公海' : ` ${to} `}重新决定。`,
    offboardingEscalated: ({ employeeId, employeeName, openItems, lastWorkingDay }) =>
      `${named(employeeName, employeeId)}的交接仍有 ${openItems} 项未被接收；最后工作日为 ${lastWorkingDay}。`,
    compensationOverdue: ({ employeeId, employeeName, month }) =>
      `${named(employeeName, employeeId)}第 ${month} 个月的竞业限制补偿金在宽限期后仍未支付；未支付补偿金的竞业限制可能无法执行。`,
    agreementUnsigned: ({ employeeId, employeeName, title, templateId, version, reminders }) =>
      `${named(employeeName, employeeId)}经 ${reminders} 次提醒仍未签署「${title}」（${templateId} 第 ${version} 版）。`,
    riskThreshold: ({ pack, subject, subjectId, subjectName, score, threshold, reasons }) =>
      `${pack}：${subject === 'employee' ? '员工' : '客户'}${quoted(subjectName, subjectId)}风险评分 ${score}（预警阈值 ${threshold}）${reasons.length > 0 ? `——${reasons.join('；')}` : ''}`,
    effectDead: ({ effect, key, attempts, lastError }) =>
      `${effect === 'crm.transfer' ? '客户转移' : effect === 'notify' ? '通知' : '外发任务'} ${key} 已失败 ${attempts} 次并放弃：${lastError}`,
    crmTransferFailed: ({ connector, customerId, customerName, to, code }) =>
      `连接器「${connector}」未能把客户${quoted(customerName, customerId)}转给${to === null ? '公海' : ` ${to} `}：${refusal(zhCN.crmRefusals, code, (c) => `被拒绝，代码 \`${c}\`；详见预警证据`)}`,
    crmOwnerDiffers: ({ connector, customerId, customerName, guardOwner, crmOwner, knownInGuard }) =>
      `客户${quoted(customerName, customerId)}在本系统中归 ${guardOwner ?? '公海'}，在连接器「${connector}」中却归${crmOwner === null ? '公海' : knownInGuard ? ` ${crmOwner} ` : `客户管理系统账号 ${crmOwner}（不是本系统员工）`}：请确定负责人，在本系统中转移（客户管理系统随之变更），或在客户管理系统中更正。`,
  },
  crmRefusals: {
    NOT_FOUND: '客户管理系统中没有该客户：请核对该客户在系统中的编号（`externalRefs`）',
    OBJECT_NOT_FOUND: '客户管理系统中没有该客户：请核对该客户在系统中的编号（`externalRefs`）',
    OWNER_CHANGED: '客户管理系统中该客户的负责人与预期不符：请先确定负责人，再在本系统中转移',
    CUSTOMER_REFUSED: '客户拒绝了新的对接人：请另选继任者',
    TAKEOVER_LIMIT: '继任者的客户数已达上限：请另选继任者',
    TRANSFER_LIMIT: '该客户近期转移次数已达上限：请在限制期过后再试',
    NOT_VERIFIED: '继任者尚未在客户管理系统中完成实名认证：请其认证，或另选继任者',
    NO_POOL_MEMBER: '连接器未设置公海账号：请配置其公海选项',
    NO_CRM_USER: '此次转移涉及的员工在客户管理系统中没有账号：请为其开通，或在通讯录中填写其账号（`externalRefs`）',
    NOT_TRANSFERRED: '客户管理系统中没有这次转移的记录：请重新转移该客户',
    TIMED_OUT: '客户管理系统未在期限内完成转移：请到系统中核实',
    VALIDATION_ERROR: '客户管理系统拒绝了新的负责人：请核实继任者在系统中的账号',
  },
  approvalKinds: {
    'customer-export': '客户导出',
    'large-discount': '大额折扣',
    'special-terms': '特殊条款',
    'ownership-claim': '客户认领',
    'ownership-transfer': '客户转移',
    'offboarding-signoff': '离职交接签收',
    'customer-delete': '客户删除',
  },
  approvalTitles: {
    claim: ({ customer }) => `认领客户 ${customer}`,
    transfer: ({ customer, to }) => `将客户 ${customer} 转给 ${to}`,
    export: ({ count }) => `导出 ${count} 个客户`,
    delete: ({ count }) => `删除 ${count} 个客户`,
    offboardingSignoff: ({ employee }) => `离职交接签收：${employee}`,
  },
  checklist: {
    communication: ({ customer }) => `与 ${customer} 的沟通记录`,
    confirmation: ({ customer }) => `${customer} 的交接确认函`,
    visit: ({ customer }) => `${customer} 的拜访计划`,
    order: ({ title }) => title,
    receivable: ({ title }) => `应收款：${title}`,
    untitledOrder: ({ orderId }) => `订单 ${orderId}`,
    unreadableOrder: ({ issue }) => `订单记录无法读取（${issue}），请在客户管理系统中核对。`,
  },
  inputs: {
    'agreement assignment': '协议分配',
    'agreement id': '协议编号',
    'agreement revocation': '协议撤销',
    'agreement signature': '协议签署',
    'agreement template': '协议模板',
    'alert id': '预警编号',
    'alert query': '预警查询',
    'alert acknowledgement': '预警确认',
    'alert resolution': '预警处理',
    'approval id': '审批编号',
    'approval inbox': '审批待办查询',
    'approval request': '审批申请',
    'approval decision': '审批决定',
    'audit data': '审计数据',
    'audit entry': '审计记录',
    'audit query': '审计查询',
    'audit verify options': '审计校验选项',
    'backtest baseline': '回测基线',
    'backtest history': '回测历史',
    checkpoint: '审计检查点',
    claim: '认领申请',
    'claim id': '认领编号',
    'claim withdrawal': '认领撤回',
    'createGuard options': '创建选项',
    cursor: '分页游标',
    customer: '客户',
    'customer id': '客户编号',
    'customer upsert options': '客户写入选项',
    'customer batch options': '客户批量写入选项',
    customers: '客户批量写入',
    'dead effects page': '失败任务分页请求',
    'decision request': '权限判断请求',
    delegation: '审批委托',
    'delete request': '删除申请',
    'directory sync': '组织架构同步',
    'directory sync options': '组织架构同步选项',
    'employee id': '员工编号',
    'employee page': '员工分页',
    'evidence pack request': '证据包请求',
    'export download': '导出下载',
    'export id': '导出编号',
    'export request': '导出申请',
    'facts line': '事实数据行',
    'follow-up': '跟进记录',
    'history line': '历史数据行',
    'kyselyStore options': '数据库存储选项',
    'list request': '列表请求',
    offboarding: '离职交接',
    'offboarding case id': '离职交接编号',
    'offboarding sign-off': '离职交接签收',
    'offboarding sign-off rejection': '离职交接签收驳回',
    'approval rejection': '审批驳回',
    'approval resubmission': '审批重新提交',
    'approval send-back': '审批退回',
    'approval withdrawal': '审批撤回',
    'non-compete payment': '竞业限制补偿金支付',
    'offboarding acceptance': '交接接收',
    'offboarding actor': '离职交接操作人',
    'offboarding cancellation': '离职交接取消',
    'offboarding handover': '交接提交',
    'offboarding item': '交接事项',
    'offboarding items': '批量交接事项',
    'offboarding return': '交接退回',
    'offboarding successor': '离职交接接手人',
    'onboarding agreements': '入职协议',
    page: '分页请求',
    policy: '访问策略',
    'read request': '查看请求',
    'record write': '记录写入',
    'release to the public pool': '释放到公海',
    'risk scan': '风险扫描',
    'risk history options': '风险评分历史选项',
    'risk score options': '风险评分选项',
    'rule pack options': '规则包选项',
    'risk schedule': '风险扫描计划',
    'risk subject': '风险评估对象',
    'rule pack': '规则包',
    'key rotation options': '密钥轮换选项',
    'legal hold': '诉讼保留',
    'legal hold release': '解除诉讼保留',
    'legal hold query': '诉讼保留查询',
    'retention options': '数据保留选项',
    'erasure request': '删除请求',
    'settings options': '设置选项',
    signal: '信号',
    signals: '信号批次',
    'signals options': '信号批次选项',
    orders: '订单批次',
    'orders options': '订单批次选项',
    'stored tenant settings': '已保存的租户设置',
    'template id': '模板编号',
    'template version': '模板版本',
    tenant: '租户',
    'tenant id': '租户编号',
    'tenant options': '租户选项',
    'tenant settings': '租户设置',
    'training assignment': '培训任务',
    'training result': '培训结果',
    'transfer request': '转移申请',
    'worker options': '后台任务选项',
    connector: '客户管理系统连接器',
    'connector options': '连接器配置',
    'CRM list request': '客户管理系统列表请求',
    'CRM transfer request': '客户管理系统归属转移请求',
    'CRM transfer query': '客户管理系统归属转移查询',
    'CRM sync options': '客户管理系统同步选项',
  },
  validation: {
    'id-format': () => '必须为 1–128 个字母、数字或 . _ : @ - 字符（以字母、数字或 _ 开头）',
    'field-key-format': () => '必须以字母开头，只能包含字母、数字、_ 和 -（最多 64 个字符）',
    'reserved-word': () => '是保留字',
    date: () => '必须是 `YYYY-MM-DD` 格式的日期',
    'date-time': () => '必须是带 `Z` 或时区偏移的 `ISO 8601` 日期时间',
    'time-zone': () => '必须是 `IANA` 时区，例如 `Asia/Shanghai` 或 `UTC`',
    currency: () => '必须是 `ISO 4217` 货币代码，例如 `CNY`',
    'finite-number': () => '必须是有限数值',
    'kebab-case': ({ example }) => `必须为小写短横线格式，例如 \`${example}\``,
    'dotted-kebab-case': () => '必须为以点分隔的小写短横线格式，例如 `customer.read`',
    'time-of-day': () => '必须是 24 小时制时间 `HH:MM`，例如 `22:00`',
    'at-least': ({ other }) => `不能小于 \`${other}\``,
    'settings-object': () => '必须是设置项组成的 `JSON` 对象',
    'plain-json': () => '必须是普通 `JSON` 数据（对象或数组），不能是日期、映射或类的实例',
    'quota-reached': ({ quota }) => `已达到每日认领上限 ${quota}`,
    'customer-cap': ({ owned, cap }) => `名下已有 ${owned} 个客户（上限 ${cap}）`,
    'follow-up-in-future': () => '跟进时间不能晚于当前时间',
    'repeated-customer': () => '客户不能重复',
    'repeated-class': () => '字段类别不能重复',
    'unknown-field-class': ({ name, classes }) => `「${name}」不是访问策略中的字段类别（${classes}）`,
    'unknown-unit': ({ id }) => `组织单元「${id}」不存在`,
    'unknown-employee': ({ id }) => `员工「${id}」不存在`,
    'erase-departed-only': ({ id, status }) =>
      `员工「${id}」当前${{ active: '在职', resigning: '正在离职', frozen: '账号已冻结', departed: '已离职' }[status]}：只能删除已离职员工的个人数据，请先完成其离职交接`,
    'customer-or-employee': () => '请只提供 `customerId` 或 `employeeId` 之一',
    'unknown-hold-target': ({ id }) => `「${id}」既不是本租户的离职交接，也不是证据包导出的审计记录`,
    'unknown-customer': ({ id }) => `客户「${id}」不存在`,
    'signal-in-future': () => '信号时间不能晚于当前时间',
    'order-in-future': () => '下单时间不能晚于当前时间',
    'unstorable-text': () => '不能包含空字符（`NUL`）或孤立的代理字符；请清理文本后再发送',
    'whole-number': () => '必须是整数',
    'expected-version': () => '必须为 `null` 或不小于 0 的整数',
    cursor: () => '不是上一页返回的分页游标',
    'store-option': () => '必须是带有 `transaction()` 和 `close()` 的存储（例如 `memoryStore()` 或数据库存储）',
    'keys-option': () =>
      '必须是带有 `currentKey()` 和 `keyById()` 的 `KeyProvider`，例如 `hmacKeys({ current, keys })`',
    'clock-option': () => '必须是带有 `now()` 的时钟',
    'ids-option': () => '必须是带有 `next(prefix)` 的编号生成器',
    'notifier-option': () => '必须是带有 `send(notification)` 的通知器',
    function: () => '必须是函数',
    'abort-signal': () => '必须是 `AbortSignal`',
    'one-handler-per-kind': ({ kind }) =>
      `类型为 \`${kind}\` 的外发任务已有处理函数：每种类型只能在 \`effects\` 或 \`batchEffects\` 中设置一个（\`notify\` 由通知器处理）`,
    'crm-id': () => '必须是客户管理系统中的编号：1 到 256 个字符，不含控制字符',
    'crm-connector': () => '必须是客户管理系统连接器：带名称和能力声明的对象，例如 `salesforceConnector(…)` 的返回值',
    email: () => '必须是电子邮件地址，例如 `name@example.com`',
    mobile: () => '必须是手机号码：5 到 20 位数字，可以 `+` 开头',
    'https-url': () => '必须是 `https` 地址（仅本机回环地址上的测试服务器可用 `http`）',
    'root-unit-not-hq': () => '只有总部可以没有上级：请为该单元填写 `parentId`，或将其类型设为 `hq`',
    'unit-cycle': ({ parent }) => `「${parent}」会使组织架构形成环`,
    'unit-below-itself': ({ parent, id }) => `「${parent}」位于「${id}」之下：组织架构将形成环`,
    'unit-kind-under': ({ kind, parentKind }) =>
      `类型为 \`${kind}\` 的单元不能位于 \`${parentKind}\` 之下（自上而下依次为 \`hq\`、\`region\`、\`branch\`、\`team\`）`,
    'self-manager': () => '员工不能是自己的上级',
    'pem-private-key': () => '必须是 `PEM` 格式的私钥（`-----BEGIN PRIVATE KEY-----`）',
    'api-version': ({ example, min }) => `必须是形如 \`${example}\` 的接口版本，且不低于 \`${min}\``,
    'template-id': () => '必须为 1–100 个字母、数字或 . _ : - 字符（不含 @）',
    'before-resignation': () => '不能早于提出离职的日期',
    'end-after-start': () => '必须晚于开始日期',
    'end-within-ten-years': () => '不能晚于开始日期十年以上',
    'customer-item-needs-customer': () => '客户类交接事项必须填写',
    'currency-with-amount': () => '仅在填写金额（`amountMinor`）时填写，且必须填写',
    'not-the-leaver': () => '不能是离职员工本人',
    'successor-not-active': ({ id, status }) =>
      `必须是在职员工（「${id}」${{ active: '在职', resigning: '正在离职', frozen: '账号已冻结', departed: '已离职' }[status]}）`,
    'not-unique': () => '不唯一',
    'open-at-start': () => '流程开始时必须为未完成状态',
    'second-customer-item': () => '已有另一个客户类交接事项',
    sha256: () => '必须是 64 位小写十六进制的 `SHA-256` 摘要',
    'hex-64': () => '必须是 64 位小写十六进制数',
    'signature-hex': () => '必须是 64 位（`HMAC`）或 128 位（`Ed25519`）小写十六进制数',
    'approval-needs-level': () => '审批至少需要一级',
    'needs-approver': () => '至少需要一位审批人',
    'until-after-from': () => '结束时间必须晚于开始时间',
    'no-self-delegation': () => '不能委托给自己',
    'kind-not-requestable': ({ kind, owner }) =>
      `「${zhCN.approvalKinds[kind as ApprovalKindName] ?? kind}」审批通过后会改动数据，只能由 \`${owner}\` 发起；\`approvals.request\` 只能发起大额折扣和特殊条款审批`,
    'comparison-needs-operator': () => '至少需要 `gt`、`gte`、`lt`、`lte`、`eq` 之一',
    'in-or-not-in': () => '必须且只能有 `in` 或 `notIn` 之一',
    'policy-time': () => '必须是 24 小时制时间 `HH:MM`，例如 `22:00`',
    'empty-time-window': () => '必须与开始时间（`from`）不同（空的时间窗口没有意义）',
    'allow-only': ({ key }) => `只有允许规则可以包含 \`${key}\``,
    duplicate: ({ value, first }) => `「${value}」重复（首次出现在第 ${first} 项）`,
    'signal-needs-employee': ({ kind }) => `「${kind}」信号必须填写员工编号（\`employeeId\`）`,
    'signal-needs-customer': ({ kind }) => `「${kind}」信号必须填写客户编号（\`customerId\`）`,
    'custom-signal-kind': () =>
      '必须以 `x-` 开头，后接以 `-` 连接的小写单词（每个单词以字母开头），例如 `x-usb-copy`（不超过 48 个字符）',
    'unknown-signal-kind': ({ kind, suggestion }) =>
      `未知的信号类型「${kind}」${suggestion ? `；是否想写「${suggestion}」？` : '。'}自定义信号类型以 \`x-\` 开头（例如 \`x-usb-copy\`），须先在租户设置的 \`risk.customSignals\` 中声明`,
    'undeclared-signal-kind': ({ kind }) =>
      `本租户尚未声明信号类型「${kind}」：请先在设置的 \`risk.customSignals\` 中加入 \`{ "kind": "${kind}", "label": { "en": …, "zh-CN": … } }\``,
    'signal-subject-not-declared': ({ kind, field }) =>
      `「${kind}」信号不计入${field === 'employeeId' ? '员工' : '客户'}（见 \`risk.customSignals\` 中它的 \`subjects\`）：请去掉 \`${field}\`，或在 \`subjects\` 中加入 \`${field === 'employeeId' ? 'employee' : 'customer'}\``,
    'custom-signal-in-use': ({ kind, pack, fact }) =>
      `不能删除或收窄「${kind}」：已安装的规则包「${pack}」读取了它的事实「${fact}」。请先修改或移除该规则包`,
    'undeclared-custom-fact': ({ fact, kind }) =>
      `「${fact}」是自定义信号类型「${kind}」的事实，但该类型未对此对象声明：请在租户设置的 \`risk.customSignals\` 中声明（使用命令行时加 \`--settings\`）`,
    'pack-id': () => '必须为 1–100 个小写字母、数字、`.`、`_` 或 `-`',
    'fact-value': ({ listItems }) =>
      `必须是有限数值、布尔值、不超过 500 个字符的字符串、不超过 ${listItems} 项的上述值列表，或 \`{ "fact": "<另一个事实>" }\``,
    'condition-shape': () => '每个条件必须且只能有 `all`、`any`、`not`、`fact` 之一',
    'top-level-group': () => '顶层必须是 `all`、`any` 或 `not` 条件组',
    'risk-event': () => '事件类型必须为 `risk`',
    semver: () => '必须是语义化版本号，例如 `1.0.0`',
    'watch-below-alert': () => '关注阈值必须低于预警阈值',
    'unknown-fact': ({ subject, fact, otherSubject, suggestion }) =>
      `未知的${subject === 'employee' ? '员工' : '客户'}事实「${fact}」${
        otherSubject
          ? `（它是${otherSubject === 'employee' ? '员工' : '客户'}事实，而此规则包评估的是${subject === 'employee' ? '员工' : '客户'}）`
          : suggestion
            ? `；是否想写「${suggestion}」？`
            : '；`guard rules schema` 可列出全部事实'
      }`,
    'unknown-operator': ({ operator, operators }) =>
      `未知的运算符 \`${operator}\`；请使用 ${operators
        .split(', ')
        .map((o) => `\`${o}\``)
        .join('、')} 之一（不接受自定义运算符和装饰器）`,
    'jsonpath-not-evaluated': () => '不执行 `path`（`JSONPath`）；请改用内置事实',
    'fact-params': () => '不支持事实参数（`params`）；内置事实不接受参数',
    'unknown-keys': ({ keys }) => `未知的键：${keys}`,
    'not-a-policy-field-class': ({ key, classes }) => `「${key}」不是访问策略的字段类别（${classes}）之一`,
    'conditions-too-deep': ({ depth }) => `条件嵌套超过 ${depth} 层，请减少嵌套`,
    'fact-type-mismatch': ({ name, type, otherName, otherType }) =>
      `「${name}」的类型是 \`${type}\`，而「${otherName}」的类型是 \`${otherType}\``,
    'duplicate-rule-name': ({ name, first }) => `名称「${name}」已被第 ${first} 条规则使用`,
    'unknown-placeholder': ({ placeholder, read }) => `占位符「${placeholder}」不是此规则读取的事实（${read || '无'}）`,
    'unknown-tag': ({ tag }) => `没有规则带有标签「${tag}」`,
    'too-many-conditions': ({ count, limit }) => `规则包共有 ${count} 个条件，上限为 ${limit}`,
    'pack-too-large': ({ bytes, limit }) => `规则包的 \`JSON\` 大小为 ${bytes} 字节，上限为 ${limit}`,
    'baseline-subject': ({ baseline, baselineSubject, pack, packSubject }) =>
      `基线「${baseline}」评估的是${baselineSubject === 'employee' ? '员工' : '客户'}，而「${pack}」评估的是${packSubject === 'employee' ? '员工' : '客户'}`,
    'nested-too-deep': ({ depth }) => `嵌套超过 ${depth} 层`,
    'forbidden-key': ({ key }) => `不允许使用键名「${key}」`,
  },
  notifications: {
    'approval.requested': (d) => ({
      title: `待审批：${s(d.title, kindName(zhCN, d.kind))}`,
      body: `${s(d.requester)} 提交了申请（${kindName(zhCN, d.kind)}），请审批。`,
    }),
    'approval.escalated': (d) => ({
      title: `审批已升级：${s(d.title, kindName(zhCN, d.kind))}`,
      body: '审批人未按时处理，您可以代表本级作出决定。',
    }),
    'approval.sent-back': (d) => ({
      title: `申请被退回：${s(d.title, kindName(zhCN, d.kind))}`,
      body: `退回原因：${s(d.reason)}。请修改后重新提交，或撤回申请。`,
    }),
    'approval.approved': (d) => ({
      title: `已批准：${s(d.title, kindName(zhCN, d.kind))}`,
      body: '您的申请已获批准。',
    }),
    'approval.rejected': (d) => ({
      title: `已驳回：${s(d.title, kindName(zhCN, d.kind))}`,
      body: `您的申请被驳回：${s(d.reason, '未说明原因')}。`,
    }),
    'approval.withdrawn': (d) => ({ title: `已撤回：${s(d.title, kindName(zhCN, d.kind))}`, body: '该申请已撤回。' }),
    'claim.owned': (d) => ({ title: '认领成功', body: `客户 ${s(d.customerId)} 已归属于您，请尽快跟进。` }),
    'claim.lost': (d) => ({ title: '认领未成功', body: `客户 ${s(d.customerId)} 已被他人先行认领。` }),
    'claim.rejected': (d) => ({ title: '认领被驳回', body: `您对客户 ${s(d.customerId)} 的认领申请被驳回。` }),
    'follow-up.reminder': (d) => ({
      title: '请跟进客户',
      body: `客户 ${s(d.customerName, s(d.customerId))} 已 ${s(d.days)} 天没有跟进记录。`,
    }),
    'follow-up.manager-alert': (d) => ({
      title: '客户长时间未跟进',
      body: `${s(d.ownerId)} 已 ${s(d.days)} 天未跟进客户 ${s(d.customerName, s(d.customerId))}。`,
    }),
    'follow-up.digest': (d) => ({
      title: '客户长时间未跟进（每日汇总）',
      body: `${s(d.ownerName, s(d.ownerId))} 名下 ${s(d.count)} 个客户已 ${s(d.days)} 天以上没有跟进记录：${joined(d.customers, '、')}。`,
    }),
    'follow-up.returned-to-pool': (d) => ({
      title: '客户已退回公海',
      body: `客户 ${s(d.customerName, s(d.customerId))} 因 ${s(d.days)} 天未跟进，已退回公海。`,
    }),
    'offboarding.started': (d) => ({
      title: '离职交接已开始',
      body: `${s(d.employeeId)} 的离职交接已开始，最后工作日 ${s(d.lastWorkingDay)}。`,
    }),
    'offboarding.review': (d) => ({ title: '交接清单待审核', body: `${s(d.employeeId)} 已提交交接清单，请审核。` }),
    'offboarding.items-returned': () => ({
      title: '交接事项被退回',
      body: '主管退回了部分交接事项，请查看原因后重新提交。',
    }),
    'offboarding.escalated': (d) => ({
      title: '离职交接逾期预警',
      body: `${s(d.employeeId)} 临近最后工作日，仍有 ${s(d.openItems)} 项交接未完成。`,
    }),
    'noncompete.compensation-due': (d) => ({
      title: '竞业限制补偿金到期',
      body: `${s(d.employeeId)} 竞业限制第 ${s(d.month)} 个月：应支付 ${money(d.amountMinor, d.currency)}。`,
    }),
    'noncompete.compensation-overdue': (d) => ({
      title: '竞业限制补偿金逾期未付',
      body: `${s(d.employeeId)} 第 ${s(d.month)} 个月补偿金未支付。未支付补偿金的竞业限制可能无法执行。`,
    }),
    'noncompete.ending-soon': (d) => ({
      title: '竞业限制即将到期',
      body: `${s(d.employeeId)} 的竞业限制将于 ${s(d.end)} 到期。`,
    }),
    'agreement.assigned': (d) => ({ title: `请签署：${s(d.title)}`, body: '有一份新协议等待您签署。' }),
    'agreement.reminder': (d) => ({ title: `提醒：请签署 ${s(d.title)}`, body: '该协议尚未签署。' }),
    'training.assigned': (d) => ({ title: `培训：${s(d.title)}`, body: `请在 ${s(d.dueAt)} 前完成。` }),
    'alert.raised': (d) => ({ title: `预警：${s(d.title, alertKindName(zhCN, d.kind))}`, body: s(d.summary) }),
  },
};
