// The explain resource's answer, as the server builds it (server/plan/explain.ts): types only, erased at build.
export type { ExplainStage, Explanation, StageWhere } from '../../../server/plan/explain';
