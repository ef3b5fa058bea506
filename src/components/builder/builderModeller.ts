// The modeller the builder UI uses: the registry with label pickers on label parameters and named selects on
// parameters with choices.

import { LogQLQueryModeller } from '../../data/builder/modeller';
import { LabelParamEditor } from './LabelParamEditor';
import { SelectParamEditor } from './SelectParamEditor';

const LABEL_PARAMS = new Set(['Label', 'Source label', 'Destination label']);

export const builderModeller = new LogQLQueryModeller((d) => ({
  ...d,
  params: d.params.map((p) => {
    if (p.options) {
      return { ...p, editor: SelectParamEditor };
    }
    return LABEL_PARAMS.has(p.name) ? { ...p, editor: LabelParamEditor } : p;
  }),
}));
