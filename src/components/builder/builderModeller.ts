// The modeller the builder UI uses: the registry with label pickers on label parameters.

import { LogQLQueryModeller } from '../../data/builder/modeller';
import { LabelParamEditor } from './LabelParamEditor';

const LABEL_PARAMS = new Set(['Label', 'Source label', 'Destination label']);

export const builderModeller = new LogQLQueryModeller((d) => ({
  ...d,
  params: d.params.map((p) => (LABEL_PARAMS.has(p.name) && !p.options ? { ...p, editor: LabelParamEditor } : p)),
}));
