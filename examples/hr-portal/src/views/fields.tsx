/** @jsxRuntime automatic @jsxImportSource preact */
import type { CustomerView, FieldValue } from '@guard/core';
import type { Texts } from '../i18n.js';

/** The label of a customer field the host knows, or the key itself. */
export function fieldLabel(t: Texts, key: string): string {
  const known: Record<string, string> = {
    city: t.city,
    industry: t.industry,
    contactName: t.contact,
    phone: t.phone,
    email: t.email,
    creditLimit: t.creditLimit,
    annualRevenue: t.annualRevenue,
  };
  return known[key] ?? key;
}

/** One field of a Guard view: its value as Guard returned it (masked or not), or "not permitted". */
export function FieldCell({ view, cls, field, t }: { view: CustomerView; cls: string; field: string; t: Texts }) {
  const value: FieldValue | undefined = view.fields[cls]?.[field];
  if (view.fields[cls] === undefined) return <span class="muted">{t.hidden}</span>;
  if (value === undefined || value === null) return <span class="muted">—</span>;
  const masked = view.decision.fields[cls] === 'mask';
  return (
    <span class={masked ? 'masked' : undefined} data-level={view.decision.fields[cls]}>
      {String(value)}
    </span>
  );
}
