import { describe, expect, it } from 'vitest';
import { textOf, usePortal } from './harness.js';

const portal = usePortal({ risk: true });
const as = portal.as;

describe('the HR portal: risk and alerts', () => {
  it('ranks the poaching rep first on the dashboard, in the alert band', async () => {
    const manager = await as('wang');
    const page = (await manager.get('/risk')).body;
    const order = [...page.matchAll(/<tr data-employee="([^"]+)"/g)].map((m) => m[1]);
    expect(order[0]).toBe('e-hanmeimei');
    expect(page).toMatch(
      /data-employee="e-hanmeimei">[\s\S]*?data-pack="employee-data-exfiltration"><span class="band-alert"/,
    );
    expect(textOf(page)).toContain('客户数据外泄');
  });

  it("explains a score in the reader's language and charts its history", async () => {
    const manager = await as('wang');
    const page = (await manager.get('/risk/employees/e-hanmeimei')).body;
    const reasons = textOf(
      /data-pack="employee-data-exfiltration"[\s\S]*?<ul data-section="reasons">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '',
    );
    expect(reasons).toMatch(/导出客户数据 \d+ 行/);
    expect(page).toContain('<canvas class="chart"');
    const points = JSON.parse(
      /<script type="application\/json" id="points-employee-data-exfiltration">([\s\S]*?)<\/script>/.exec(page)?.[1] ??
        '[]',
    );
    expect(points.length).toBeGreaterThan(2);
    expect(points.at(-1).score).toBeGreaterThanOrEqual(50);
    expect(points[0].score).toBeLessThan(points.at(-1).score);
    const chart = await manager.get('/assets/chart.umd.min.js');
    expect(chart.statusCode).toBe(200);
    expect(chart.body).toContain('Chart');
  });

  it('lets the manager acknowledge and resolve the alert; a rep may not see risk at all', async () => {
    const manager = await as('wang');
    const alerts = (await manager.get('/alerts')).body;
    const id = /<tr data-alert="([^"]+)" data-kind="risk-threshold" data-status="open"/.exec(alerts)?.[1];
    expect(id, textOf(alerts)).toBeDefined();
    expect(textOf(alerts)).toContain('韩梅梅');
    // The steady reps raise nothing.
    expect(textOf(alerts)).not.toMatch(/李雷|刘洋/);
    const acked = await manager.post(`/alerts/${id}/acknowledge`, {});
    expect(acked.statusCode).toBe(303);
    expect((await manager.get('/alerts')).body).toContain(
      `data-alert="${id}" data-kind="risk-threshold" data-status="acknowledged"`,
    );
    const resolved = await manager.post(`/alerts/${id}/resolve`, { note: '已约谈' });
    expect(resolved.statusCode).toBe(303);
    expect((await manager.get('/alerts')).body).not.toContain(`data-alert="${id}"`);

    const rep = await as('hanmeimei');
    const risk = await rep.get('/risk');
    expect(risk.statusCode).toBe(403);
    expect(textOf(risk.body)).toContain('仅经理和人事可查看此页');
    expect((await rep.get('/alerts')).statusCode).toBe(403);
  });
});
