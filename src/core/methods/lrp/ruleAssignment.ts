import type { Net } from '../../net/ir';
import { compositeRule, type CompositeId } from './composites';
import { isWeighted } from './linearLayer';
import { parseRule, type RuleDefaults } from './ruleSpec';
import type { LrpRule } from './rules';

/** Splits at commas outside parentheses: "a=gamma(0.25),b=alphabeta(2,1)" → two entries. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * Parses per-layer overrides "layerName=rule,layerName=rule" (rule specs as in ruleSpec.ts)
 * into layer name → rule spec. Checks the syntax only; `assignRules` checks the names.
 */
export function parseRuleOverrides(text: string): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const entry of splitTopLevel(text)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const spec = entry.slice(eq + 1).trim();
    if (eq < 0 || name === '' || spec === '') {
      throw new Error(`Rule override "${entry}" is not of the form layerName=rule (e.g. conv2d_1=gamma(0.25)).`);
    }
    if (overrides.has(name)) throw new Error(`Layer "${name}" has two rule overrides.`);
    overrides.set(name, spec);
  }
  return overrides;
}

/**
 * The rule of every weighted layer (dense, conv2d, channelAffine) by name: the composite's
 * choice unless an override names the layer. Overrides naming a layer that does not exist, or
 * one without weights (relu, pooling, flatten: their propagation is fixed), are errors.
 */
export function assignRules(net: Net, composite: CompositeId, overridesText: string, defaults: RuleDefaults): Map<string, LrpRule> {
  const weighted = net.layers.filter(isWeighted);
  const overrides = parseRuleOverrides(overridesText);
  for (const name of overrides.keys()) {
    const layer = net.layers.find((l) => l.name === name);
    const takers = weighted.map((l) => l.name).join(', ');
    if (!layer) throw new Error(`Rule override for unknown layer "${name}". Layers that take rules: ${takers}.`);
    if (!isWeighted(layer)) {
      throw new Error(`Layer "${name}" is a ${layer.kind} layer, whose propagation is fixed; rules apply to: ${takers}.`);
    }
  }
  return new Map(weighted.map((layer, index) => {
    const override = overrides.get(layer.name);
    const rule = override === undefined
      ? compositeRule(composite, { kind: layer.kind, first: index === 0 }, defaults)
      : parseRule(override, defaults);
    return [layer.name, rule];
  }));
}
