// Bounds on one template execution. Go's text/template (and so Loki) has none: `{{ repeat 100000000 "x" }}` allocates
// 100 MB per line there, and `{{ range 1000000000 }}{{ end }}` spins until the query times out. Here one execution
// (one line through line_format, or one label through label_format) may write at most `maxOutputBytes` bytes (output
// and every string a function returns) and take at most `maxSteps` steps (actions, loop iterations, template calls).
// Past either bound the execution fails like any template runtime error: Loki's TemplateFormatErr on that line, with
// the message in __error_details__, and the line keeps its content. Functions whose result size is known up front
// (repeat, padding, replace, indent) refuse before allocating.

export interface TemplateLimits {
  /** most bytes one execution may produce (UTF-8); default 256 KiB, Loki's max_line_size default */
  maxOutputBytes: number;
  /** most steps one execution may take; default 100,000 */
  maxSteps: number;
}

export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({
  maxOutputBytes: 256 * 1024,
  maxSteps: 100_000,
});

export const limits: TemplateLimits = { ...DEFAULT_TEMPLATE_LIMITS };

/** Change the bounds for executions that start afterwards (a CLI flag; tests). */
export function setTemplateLimits(l: Partial<TemplateLimits>): void {
  if (l.maxOutputBytes !== undefined) limits.maxOutputBytes = Math.max(0, Math.floor(l.maxOutputBytes));
  if (l.maxSteps !== undefined) limits.maxSteps = Math.max(1, Math.floor(l.maxSteps));
}

/** UTF-8 length of a string without allocating (lone surrogates count 3, as Buffer.byteLength does). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 4 bytes for 2 code units
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Whether a string is longer than the output bound (cheap for short strings). */
export function overOutputLimit(s: string): boolean {
  const max = limits.maxOutputBytes;
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return utf8Length(s) > max;
}

export function outputLimitMessage(): string {
  return `template output exceeds the limit of ${limits.maxOutputBytes} bytes`;
}
