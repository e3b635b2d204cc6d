import axe from 'axe-core';
import type { Page } from 'playwright-core';

export interface Violation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * axe-core's findings on what the page shows now: every rule axe runs by default (WCAG A and AA
 * plus best practices such as heading order and landmarks), every impact from minor to critical.
 * axe is injected once per document; a client-side navigation keeps it.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axe.source });
  return page.evaluate(async () => {
    const { violations } = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** Fails with axe's words and the elements concerned, so the report says what to fix. */
export async function expectAccessible(page: Page, where = page.url()): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.targets.slice(0, 5).join('\n    ')}`,
  );
  throw new Error(`axe-core found ${violations.length} violation(s) at ${where}:\n${lines.join('\n')}`);
}
