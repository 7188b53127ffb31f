/**
 * The shapes every Kubernetes object shares, kept as Kubernetes writes them (apiVersion, kind,
 * metadata, spec, status), so that manifests from the Kubernetes documentation load unchanged.
 * Kind-specific types (Pod, Node, ...) live beside the components that need them.
 */

/** Labels and annotations: string keys to string values. */
export type StringMap = Record<string, string>;

/** A reference from a dependent object to the object that owns it (garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta: the part every persisted object has. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: StringMap;
  annotations?: StringMap;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Any Kubernetes object. Kind-specific fields are reached through narrower types. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** One requirement of a set-based selector (metav1.LabelSelectorRequirement). */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector: matchLabels and matchExpressions, ANDed together. */
export interface LabelSelector {
  matchLabels?: StringMap;
  matchExpressions?: LabelSelectorRequirement[];
}

/** How a quantity is written back out (resource.Format). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * A resource quantity held exactly: an integer count of nano-units (10^-9), as Kubernetes never
 * keeps precision finer than 1n, plus the format it was written in.
 */
export interface Quantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}
