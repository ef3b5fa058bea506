// An answer the editor asks the server for about the query being typed (its SQL, its explanation): asked once the
// typing pauses and only while the panel is open; a newer query's answer replaces an older one that comes late.
import { useEffect, useState } from 'react';

export type AnswerState<T> =
  { status: 'idle' } | { status: 'loading' } | { status: 'done'; value: T } | { status: 'error'; message: string };

export function useDebouncedAnswer<T>(
  expr: string,
  isOpen: boolean,
  ask: (expr: string) => Promise<T>,
  debounceMs: number,
): AnswerState<T> {
  const [state, setState] = useState<AnswerState<T>>({ status: 'idle' });
  useEffect(() => {
    if (!isOpen || !expr.trim()) {
      setState({ status: 'idle' });
      return;
    }
    let cancelled = false;
    setState((s) => (s.status === 'done' ? s : { status: 'loading' }));
    const timer = setTimeout(() => {
      ask(expr).then(
        (value) => !cancelled && setState({ status: 'done', value }),
        (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
      );
    }, debounceMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [expr, isOpen, ask, debounceMs]);
  return state;
}

/** An Error's message, or the server's error text from a Grafana fetch error (`data.error` / `data.message`). */
function errorMessage(err: unknown): string {
  const e = err as { data?: { error?: string; message?: string }; message?: string };
  return e?.data?.error ?? e?.data?.message ?? e?.message ?? String(err);
}
