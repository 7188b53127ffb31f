/**
 * Values as upstream's field errors print them. field.Error.ErrorBody (apimachinery
 * pkg/util/validation/field/errors.go, v0.32) prints a plain string with %q, int32/int64/bool
 * with %v, a value whose type has a String() method with it, and anything else with Go's %#v:
 * `[]string{"10.96.0.10"}`, `intstr.IntOrString{Type:0, IntVal:0, StrVal:""}`,
 * `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, ...}`. These functions write those
 * %#v forms for the few Go types a 422 shows, from the JSON the engine holds.
 *
 * Pure; inputs are JSON values of any shape (a hostile body may hold anything), never modified.
 */

type Any = Record<string, unknown>;

function isObject(value: unknown): value is Any {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's strconv.Quote: `"a\"b"`, control characters escaped, printable Unicode kept. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A value as a Go string field holds it (non-strings become their JSON text, as the decoder would have refused them). */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `[]string{"a", "b"}`; `[]string(nil)` when absent. */
export function goStrings(list: unknown, type = '[]string'): string {
  if (!Array.isArray(list)) return `${type}(nil)`;
  return `${type}{${list.map((v) => goQuote(str(v))).join(', ')}}`;
}

/** `map[string]string{"a":"b"}` with keys sorted, as fmt prints maps; `map[string]string(nil)` when absent. */
export function goStringMap(map: unknown): string {
  if (!isObject(map)) return 'map[string]string(nil)';
  const keys = Object.keys(map).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(str(map[k]))}`).join(', ')}}`;
}

/** A metav1.LabelSelector (a selector pointer is dereferenced first, as ErrorBody does). */
export function goLabelSelector(selector: unknown): string {
  const s = isObject(selector) ? selector : {};
  const expressions = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => {
          const r = isObject(e) ? e : {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(str(r.key))}, Operator:${goQuote(str(r.operator))}, Values:${goStrings(r.values)}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels)}, MatchExpressions:${expressions}}`;
}

/** An intstr.IntOrString: Type 0 with IntVal for a number, Type 1 with StrVal for a string. */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(value)}}`;
  const n = typeof value === 'number' && Number.isInteger(value) ? value : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** An rbac.RoleRef. */
export function goRoleRef(ref: unknown): string {
  const r = isObject(ref) ? ref : {};
  return `rbac.RoleRef{APIGroup:${goQuote(str(r.apiGroup))}, Kind:${goQuote(str(r.kind))}, Name:${goQuote(str(r.name))}}`;
}

/** The core.ServicePort key ValidateService builds to find a duplicate port: only Protocol and Port set. */
export function goServicePortKey(protocol: unknown, port: unknown): string {
  const n = typeof port === 'number' && Number.isInteger(port) ? port : 0;
  return `core.ServicePort{Name:"", Protocol:${goQuote(str(protocol))}, AppProtocol:(*string)(nil), Port:${n}, TargetPort:${goIntOrString(0)}, NodePort:0}`;
}

/** A core.Taint (TimeAdded shown as nil: a set time is a pointer Go prints as an address). */
export function goTaint(taint: unknown): string {
  const t = isObject(taint) ? taint : {};
  return `core.Taint{Key:${goQuote(str(t.key))}, Value:${goQuote(str(t.value))}, Effect:${goQuote(str(t.effect))}, TimeAdded:(*v1.Time)(nil)}`;
}

/**
 * A core.PodTemplateSpec, shortened: upstream prints every field of the template and its pod spec
 * (thousands of characters); this keeps the type, the labels and the container names and images,
 * enough for a reader to see which template was refused.
 */
export function goPodTemplateSpecShort(template: unknown): string {
  const t = isObject(template) ? template : {};
  const meta = isObject(t.metadata) ? t.metadata : {};
  const spec = isObject(t.spec) ? t.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const shown = containers.map((c) => {
    const x = isObject(c) ? c : {};
    return `core.Container{Name:${goQuote(str(x.name))}, Image:${goQuote(str(x.image))}, ...}`;
  });
  return `core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Labels:${goStringMap(meta.labels)}, ...}, Spec:core.PodSpec{Containers:[]core.Container{${shown.join(', ')}}, ...}}`;
}
