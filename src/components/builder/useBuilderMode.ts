// Builder/Code mode for one query: the mode lives in the query model (`editorMode`), the visual query is rebuilt from
// `expr` whenever the text changes from elsewhere (a pattern, a hint's fix, history), and a query the builder cannot
// show keeps (or puts) the editor in Code mode with the reason.

import { useCallback, useEffect, useRef, useState } from 'react';

import type { LogQLVisualQuery } from '../../data/builder/model';
import { buildVisualQuery } from '../../data/builder/parse';
import { renderQuery } from '../../data/builder/render';
import type { EditorMode, LogQLQuery } from '../../types';

export interface BuilderMode {
  mode: EditorMode;
  visual: LogQLVisualQuery | undefined;
  /** why the last switch to the builder was refused */
  notice: string | undefined;
  dismissNotice(): void;
  /** switch modes; `text` is the code editor's current (maybe uncommitted) text */
  setMode(mode: EditorMode, text: string): void;
  onVisualChange(visual: LogQLVisualQuery): void;
}

export function useBuilderMode(query: LogQLQuery, onChange: (q: LogQLQuery) => void): BuilderMode {
  const mode: EditorMode = query.editorMode ?? 'code';
  const [visual, setVisual] = useState<LogQLVisualQuery | undefined>(() =>
    mode === 'builder' ? buildVisualQuery(query.expr ?? '').query : undefined,
  );
  const [notice, setNotice] = useState<string>();
  const latest = useRef({ visual, query, onChange });
  latest.current = { visual, query, onChange };

  useEffect(() => {
    if (mode !== 'builder') {
      return;
    }
    const { visual: current, query: q, onChange: change } = latest.current;
    const expr = q.expr ?? '';
    if (current && (renderQuery(current) === expr || (!expr.trim() && !current.labels.length))) {
      return;
    }
    const res = buildVisualQuery(expr);
    if (res.query) {
      setVisual(res.query);
    } else {
      setNotice(res.error);
      change({ ...q, editorMode: 'code' });
    }
  }, [mode, query.expr]);

  const setMode = useCallback((next: EditorMode, text: string) => {
    const { query: q, onChange: change } = latest.current;
    if (next === 'builder') {
      const res = buildVisualQuery(text);
      if (!res.query) {
        setNotice(res.error);
        return;
      }
      setVisual(res.query);
    }
    setNotice(undefined);
    change({ ...q, expr: text, editorMode: next });
  }, []);

  const onVisualChange = useCallback((v: LogQLVisualQuery) => {
    const { query: q, onChange: change } = latest.current;
    setVisual(v);
    change({ ...q, expr: renderQuery(v), editorMode: 'builder' });
  }, []);

  return { mode, visual, notice, dismissNotice: () => setNotice(undefined), setMode, onVisualChange };
}
