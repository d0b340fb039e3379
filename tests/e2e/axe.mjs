/*
 * axe.mjs — WCAG 2.1 AA checks with axe-core (npm, a dev dependency of
 * the browser tests): axe.min.js is injected into the page as it is, run
 * with the WCAG 2.0/2.1 A and AA rules (and label-content-name-mismatch,
 * which axe keeps off by default: an accessible name must contain the
 * visible label, WCAG 2.5.3), and its violations come back as plain data
 * with a readable summary.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SEVERE = new Set(['serious', 'critical']);

/* Runs axe on the page as it is now. Returns [{id, impact, help, helpUrl,
 * nodes: [{target, summary}]}]. */
export async function axeViolations(page) {
  /* Evaluated over the DevTools protocol: the page's CSP (script-src 'self')
   * stays as it is and does not stop it. */
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ tags }) => {
      const result = await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        rules: { 'label-content-name-mismatch': { enabled: true } },
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    },
    { tags: AXE_TAGS },
  );
}

/* One violation per paragraph: impact, rule, what it asks, and each
 * element with axe's reason. */
export function formatViolations(violations, where = '') {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target}\n      ${String(n.summary ?? '').replace(/\n/g, '\n      ')}`).join('\n');
      return `${where ? `${where}: ` : ''}[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/* The serious and critical violations (the test fails on them); the
 * moderate and minor ones are printed. */
export async function checkPage(page, where) {
  const all = await axeViolations(page);
  const severe = all.filter((v) => SEVERE.has(v.impact));
  const mild = all.filter((v) => !SEVERE.has(v.impact));
  if (mild.length) console.log(formatViolations(mild, where));
  return { severe, mild, report: formatViolations(severe, where) };
}
