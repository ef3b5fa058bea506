// The explain resource's answer (server/plan/explain.ts), as the editor reads it.

export type StageWhere = 'database' | 'typescript' | 'both';

export interface ExplainStage {
  kind: string;
  text: string;
  description: string;
  where: StageWhere;
  reason?: string;
  sql?: { text: string; params: unknown[] };
  statement?: number;
  depth: number;
}

export interface Explanation {
  query: string;
  dialect: string;
  type: 'logs' | 'metrics';
  stages: ExplainStage[];
  statements: Array<{ text: string; params: unknown[] }>;
  notes: string[];
}
