/**
 * rbac.authorization.k8s.io/v1 validation, after pkg/apis/rbac/validation/validation.go:
 * ValidatePolicyRule (verbs; resource rules name groups and resources; non-resource URLs only in
 * ClusterRoles and never mixed with resources), ValidateRoleBinding / ValidateClusterRoleBinding
 * (roleRef's group, kind and name; each subject by its kind) and their updates (`cannot change
 * roleRef`). Also SetDefaults_Subject, which fills in a User's or Group's apiGroup before
 * validation, so that bindings written without it are accepted as upstream accepts them.
 *
 * Pure; objects of any JSON shape are read defensively.
 */
import { canonical } from '../../canonical.ts';
import { invalidShown, notSupported, required } from '../../field-errors.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { nameProblems } from '../../validation/formats.ts';
import { goRoleRef, goStrings } from '../../validation/go-values.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function objectAt(value: unknown): Any {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Any) : {};
}

/** ValidatePolicyRule for each of `rules` (`namespaced`: a Role's). */
export function rulesCauses(rules: unknown, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  list(rules).forEach((raw, i) => {
    const rule = objectAt(raw);
    const at = `rules[${i}]`;
    if (list(rule.verbs).length === 0) causes.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
    const urls = list(rule.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced) causes.push(invalidShown(`${at}.nonResourceURLs`, goStrings(urls), 'namespaced rules cannot apply to non-resource URLs'));
      if (list(rule.apiGroups).length || list(rule.resources).length || list(rule.resourceNames).length) {
        causes.push(invalidShown(`${at}.nonResourceURLs`, goStrings(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (list(rule.apiGroups).length === 0) causes.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (list(rule.resources).length === 0) causes.push(required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return causes;
}

/** ValidateRoleBindingSubject. */
function subjectCauses(subject: Any, namespaced: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = typeof subject.name === 'string' ? subject.name : '';
  const apiGroup = typeof subject.apiGroup === 'string' ? subject.apiGroup : '';
  if (!name) causes.push(required(`${at}.name`));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) causes.push(...nameProblems('dns1123-subdomain', name).map((m) => invalidShown(`${at}.name`, JSON.stringify(name), m)));
      if (apiGroup) causes.push(notSupported(`${at}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !subject.namespace) causes.push(required(`${at}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) causes.push(notSupported(`${at}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      causes.push(notSupported(`${at}.kind`, typeof subject.kind === 'string' ? subject.kind : '', ['ServiceAccount', 'User', 'Group']));
  }
  return causes;
}

/** ValidateRoleBinding (`namespaced`) or ValidateClusterRoleBinding; with `old`, roleRef may not change. */
export function bindingCauses(binding: Any, namespaced: boolean, old?: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = objectAt(binding.roleRef);
  const apiGroup = typeof ref.apiGroup === 'string' ? ref.apiGroup : '';
  if (apiGroup !== RBAC_GROUP) causes.push(notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) causes.push(notSupported('roleRef.kind', typeof ref.kind === 'string' ? ref.kind : '', kinds));
  const name = typeof ref.name === 'string' ? ref.name : '';
  if (!name) causes.push(required('roleRef.name'));
  else causes.push(...nameProblems('path-segment', name).map((m) => invalidShown('roleRef.name', JSON.stringify(name), m)));
  list(binding.subjects).forEach((s, i) => causes.push(...subjectCauses(objectAt(s), namespaced, `subjects[${i}]`)));
  if (old && canonical(objectAt(old.roleRef)) !== canonical(ref)) causes.push(invalidShown('roleRef', goRoleRef(ref), 'cannot change roleRef'));
  return causes;
}

/** SetDefaults_Subject: a User's or Group's empty apiGroup is rbac.authorization.k8s.io. */
export function defaultSubjects(input: KubeObject): KubeObject {
  const object = input as Any;
  if (!Array.isArray(object.subjects)) return input;
  const subjects = object.subjects.map((s: unknown) => {
    const subject = objectAt(s);
    if (subject.apiGroup || (subject.kind !== 'User' && subject.kind !== 'Group')) return s;
    return { ...subject, apiGroup: RBAC_GROUP };
  });
  const next: Any = { ...object, subjects };
  return next as KubeObject;
}
