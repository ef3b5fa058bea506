// plugin-ui's LabelFilterItem renders its label, operator and value selects without an accessible name (axe
// "label", critical). It takes no prop for one, so name its inputs after render, and again whenever rows change.

import { useEffect, type RefObject } from 'react';

const NAMES: Array<[string, string]> = [
  ['[id^="visual-query-builder-dimensions-filter-item-key-"]', 'Label name'],
  ['[id^="visual-query-builder-dimensions-filter-item-value-"]', 'Label value'],
];

function nameInputs(root: HTMLElement) {
  for (const [selector, name] of NAMES) {
    root
      .querySelectorAll<HTMLInputElement>(`input${selector}:not([aria-label])`)
      .forEach((el) => el.setAttribute('aria-label', name));
  }
  // the operator select has no id of its own: it sits between the two above in each row
  root.querySelectorAll<HTMLElement>('[data-testid="visual-query-builder-dimensions-filter-item"]').forEach((row) => {
    row
      .querySelectorAll<HTMLInputElement>('input:not([aria-label])')
      .forEach((el) => el.setAttribute('aria-label', 'Label operator'));
  });
}

export function useAccessibleLabelFilters(root: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const el = root.current;
    if (!el) {
      return;
    }
    nameInputs(el);
    const observer = new MutationObserver(() => nameInputs(el));
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [root]);
}
