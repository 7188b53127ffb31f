/**
 * core/v1 PodTemplate: a pod template kept as an object of its own (`kubectl get podtemplates`);
 * controllers and tools read it to make pods. The README's example of adding a kind.
 * Upstream: pkg/registry/core/podtemplate (strategy.go), pkg/apis/core/validation
 * ValidatePodTemplate, pkg/printers/internalversion printPodTemplate.
 *
 * Simplified: upstream also counts metadata.generation up on every template change; the registry
 * here counts it on spec changes only, and a PodTemplate has no spec, so it keeps none.
 */
import { containerImages, containerNames, formatLabels, NAME } from '../../printers.ts';
import { podTemplateSpec, top } from '../../schema-nodes.ts';
import type { PodTemplate } from '../../types.ts';
import { defineKind } from '../define.ts';
import { defaultTemplate } from '../workloads.ts';
import { deletionCostCauses } from '../../validation/pod-deletion-cost.ts';

export const POD_TEMPLATES = defineKind<PodTemplate>({
  group: '',
  version: 'v1',
  resource: 'podtemplates',
  kind: 'PodTemplate',
  namespaced: true,
  schema: top({ template: podTemplateSpec }),
  strategy: {
    // SetObjectDefaults_PodTemplate: the pod spec defaults, in the template.
    defaults: (o, fns) => (o.template ? { ...o, template: defaultTemplate(fns, o.template) } : o),
    // ValidatePodTemplate: the template's pod-deletion-cost, then its pod spec at template.spec (a template with none has no containers).
    validate: (o, fns) => [...deletionCostCauses(o.template?.metadata?.annotations, 'template.annotations'), ...fns.validatePodSpec(o.template?.spec ?? { containers: [] }, 'template.spec')],
  },
  printer: {
    columns: [NAME, ['Containers', 'string'], ['Images', 'string'], ['Pod Labels', 'string']],
    row: (o) => [o.metadata.name ?? '', containerNames(o.template), containerImages(o.template), formatLabels(o.template?.metadata?.labels)],
  },
});
