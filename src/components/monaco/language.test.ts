import { describe, expect, it, vi } from 'vitest';
import { LANGUAGE_ID, monarchLanguage, registerCompletion, registerLanguage, setMarkers } from './language';

function fakeMonaco() {
  return {
    languages: {
      register: vi.fn(),
      setMonarchTokensProvider: vi.fn(),
      setLanguageConfiguration: vi.fn(),
      registerCompletionItemProvider: vi.fn((_id: string, p: any) => ({ provider: p, dispose: vi.fn() })),
      CompletionItemKind: {
        Function: 1,
        Operator: 2,
        Enum: 3,
        EnumMember: 4,
        Class: 5,
        Unit: 6,
        Field: 7,
        Keyword: 8,
        Snippet: 9,
      },
      CompletionItemInsertTextRule: { InsertAsSnippet: 4 },
    },
    editor: { setModelMarkers: vi.fn() },
    MarkerSeverity: { Error: 8 },
  };
}

function model(text: string) {
  return {
    id: 'model-1',
    getValue: () => text,
    getOffsetAt: (p: { column: number }) => p.column - 1,
    getPositionAt: (o: number) => ({ lineNumber: 1, column: o + 1 }),
  };
}

describe('monaco LogQL language', () => {
  it('registers once per monaco instance', () => {
    const m = fakeMonaco();
    registerLanguage(m);
    registerLanguage(m);
    expect(m.languages.register).toHaveBeenCalledTimes(1);
    expect(m.languages.setMonarchTokensProvider).toHaveBeenCalledWith(LANGUAGE_ID, monarchLanguage);
  });

  it('maps completions to Monaco items with the replaced range', async () => {
    const m = fakeMonaco();
    const text = '{ap';
    const editor = { getModel: () => model(text) };
    const reg = registerCompletion(m, editor, () => ({
      labelNames: async () => ['app', 'env'],
      labelValues: async () => [],
      detectedFields: async () => [],
    })) as any;
    const res = await reg.provider.provideCompletionItems(model(text), { lineNumber: 1, column: 4 });
    expect(res.suggestions.map((s: any) => s.label)).toEqual(['app', 'env']);
    expect(res.suggestions[0]).toMatchObject({ insertText: 'app=', kind: 3, range: { startColumn: 2, endColumn: 4 } });
    expect(res.suggestions[0].command.id).toBe('editor.action.triggerSuggest');
    const other = await reg.provider.provideCompletionItems(
      { ...model(text), id: 'other' },
      { lineNumber: 1, column: 4 },
    );
    expect(other.suggestions).toEqual([]);
  });

  it('sets error markers', () => {
    const m = fakeMonaco();
    const md = model('{a=}');
    setMarkers(m, { getModel: () => md }, [{ from: 3, to: 4, message: 'bad' }]);
    expect(m.editor.setModelMarkers).toHaveBeenCalledWith(md, LANGUAGE_ID, [
      expect.objectContaining({ message: 'bad', severity: 8, startColumn: 4, endColumn: 5 }),
    ]);
  });
});
