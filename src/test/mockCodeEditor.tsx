// A stand-in for @grafana/ui's CodeEditor (Monaco does not run in jsdom): a textarea with the same callbacks.
// Shift+Enter in it calls the command registered with addCommand, like Monaco.
import React from 'react';

export function MockCodeEditor(props: {
  value: string;
  onChange?: (v: string) => void;
  onBlur?: (v: string) => void;
  onEditorDidMount?: (editor: any, monaco: any) => void;
  onBeforeEditorMount?: (monaco: any) => void;
}) {
  const ref = React.useRef<HTMLTextAreaElement>(null);
  const commands = React.useRef<Array<() => void>>([]);
  React.useEffect(() => {
    const monaco = {
      KeyMod: { Shift: 1024 },
      KeyCode: { Enter: 3 },
      languages: {
        register: () => undefined,
        setMonarchTokensProvider: () => undefined,
        setLanguageConfiguration: () => undefined,
        registerCompletionItemProvider: () => ({ dispose: () => undefined }),
        CompletionItemKind: {},
      },
      editor: { setModelMarkers: () => undefined },
      MarkerSeverity: { Error: 8 },
    };
    const editor = {
      getValue: () => ref.current?.value ?? '',
      getModel: () => ({ id: 'm1', getPositionAt: () => ({ lineNumber: 1, column: 1 }) }),
      addCommand: (_k: number, fn: () => void) => commands.current.push(fn),
      onDidFocusEditorText: () => ({ dispose: () => undefined }),
      trigger: () => undefined,
    };
    props.onBeforeEditorMount?.(monaco);
    props.onEditorDidMount?.(editor, monaco);
  }, []);
  return (
    <textarea
      aria-label="Query editor"
      ref={ref}
      defaultValue={props.value}
      onChange={(e) => props.onChange?.(e.currentTarget.value)}
      onBlur={(e) => props.onBlur?.(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.shiftKey) {
          e.preventDefault();
          commands.current.forEach((c) => c());
        }
      }}
    />
  );
}
