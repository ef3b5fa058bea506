// The LogQL code editor: Monaco through @grafana/ui's CodeEditor, with our language, completion, error markers and
// Shift+Enter to run.

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { CodeEditor, useStyles2 } from '@grafana/ui';
import React, { useEffect, useRef } from 'react';

import type { CompletionDataProvider } from '../data/completion';
import type { Marker } from '../data/validation';
import { LANGUAGE_ID, registerCompletion, registerLanguage, setMarkers } from './monaco/language';

export interface LogQLFieldProps {
  value: string;
  /** every edit (for validation and the SQL preview) */
  onEdit?: (value: string) => void;
  /** the query is committed: blur or Shift+Enter */
  onCommit: (value: string) => void;
  onRunQuery?: (value: string) => void;
  dataProvider: CompletionDataProvider;
  markers: Marker[];
  placeholder?: string;
  height?: number;
}

export function LogQLField(props: LogQLFieldProps) {
  const styles = useStyles2(getStyles);
  const latest = useRef(props);
  latest.current = props;
  const monacoRef = useRef<any>(null);
  const editorRef = useRef<any>(null);
  const disposables = useRef<Array<{ dispose(): void }>>([]);

  useEffect(() => {
    if (monacoRef.current && editorRef.current) {
      setMarkers(monacoRef.current, editorRef.current, props.markers);
    }
  }, [props.markers]);

  useEffect(
    () => () => {
      disposables.current.forEach((d) => d.dispose());
      disposables.current = [];
    },
    [],
  );

  const lines = Math.min(12, Math.max(1, props.value.split('\n').length));
  return (
    <div className={styles.wrapper} data-testid="logql-field">
      <CodeEditor
        value={props.value}
        language={LANGUAGE_ID}
        height={props.height ?? lines * 19 + 12}
        showLineNumbers={false}
        showMiniMap={false}
        containerStyles={styles.editor}
        monacoOptions={
          {
            fixedOverflowWidgets: true,
            scrollBeyondLastLine: false,
            overviewRulerLanes: 0,
            renderLineHighlight: 'none',
            wordBasedSuggestions: false,
            quickSuggestions: { other: true, comments: false, strings: true },
            suggest: { showWords: false, snippetsPreventQuickSuggestions: false },
            wordWrap: 'on',
            fontSize: 14,
            lineHeight: 19,
            glyphMargin: false,
            folding: false,
            lineNumbers: 'off',
            lineDecorationsWidth: 8,
            placeholder: props.placeholder,
          } as any
        }
        onBeforeEditorMount={(monaco) => registerLanguage(monaco)}
        onBlur={(v) => latest.current.onCommit(v)}
        onChange={(v) => latest.current.onEdit?.(v)}
        onEditorDidMount={(editor, monaco) => {
          monacoRef.current = monaco;
          editorRef.current = editor;
          disposables.current.push(registerCompletion(monaco, editor, () => latest.current.dataProvider));
          editor.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => {
            const v = editor.getValue();
            latest.current.onCommit(v);
            latest.current.onRunQuery?.(v);
          });
          setMarkers(monaco, editor, latest.current.markers);
          // open the suggestions on focus of an empty editor, as Grafana's Loki editor does
          editor.onDidFocusEditorText(() => {
            if (editor.getValue().trim() === '') {
              editor.trigger('focus', 'editor.action.triggerSuggest', {});
            }
          });
        }}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ flex: 1, minWidth: 0 }),
  editor: css({
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.components.input.borderColor}`,
  }),
});
