/**
 * The alert rule form sends only what its `on` takes, in the shape the protocol's schema accepts
 * (the same schema the server checks), and an edit clears what the new `on` no longer takes.
 */
import { describe, expect, it } from 'vitest';
import { AlertOn, AlertRuleCreate, AlertRuleUpdate, THRESHOLD_RULES, type AlertRule } from '@kairos/protocol';
import {
  createBodyOf,
  emptyRuleForm,
  formOfRule,
  patchBodyOf,
  scopeKindsFor,
  type RuleFormState,
} from '../src/pages/alerts/rule-form-state.js';

const filled = (patch: Partial<RuleFormState>): RuleFormState => ({
  ...emptyRuleForm(7),
  name: 'r',
  contacts: ['3'],
  ...patch,
});

describe('the alert rule form', () => {
  it('makes a body the schema accepts for every on, with a threshold and window only where taken', () => {
    for (const on of AlertOn.options) {
      const spec = THRESHOLD_RULES[on];
      const threshold = spec.threshold?.min ?? '';
      const form = filled({ on, threshold, scopeKind: scopeKindsFor(on)[0]!, app: 'billing' });
      const body = createBodyOf(form);
      expect(AlertRuleCreate.safeParse(body).success, on).toBe(true);
      expect('threshold' in body, on).toBe(spec.threshold !== undefined);
      expect('windowSeconds' in body, on).toBe(spec.window !== undefined);
      expect(AlertRuleUpdate.safeParse(patchBodyOf(form)).success, on).toBe(true);
    }
  });

  it('turns a window in minutes and a budget period into windowSeconds', () => {
    const rate = createBodyOf(filled({ on: 'failure_rate', threshold: 0.5, windowMinutes: 30 }));
    expect(rate).toMatchObject({ scope: { taskId: 7 }, threshold: 0.5, windowSeconds: 1800 });
    expect(rate).not.toHaveProperty('silenceSeconds');
    const budget = createBodyOf(filled({ on: 'token_budget', threshold: 1000, budgetWindow: '3600' }));
    expect(budget).toMatchObject({ threshold: 1000, windowSeconds: 3600 });
    expect(createBodyOf(filled({ on: 'failure' }))).toMatchObject({ silenceSeconds: 300 });
  });

  it('clears on an edit what the new on does not take', () => {
    expect(patchBodyOf(filled({ on: 'failure', threshold: 3, windowMinutes: 10 }))).toMatchObject({
      threshold: null,
      windowSeconds: null,
    });
  });

  it('reads a rule back into the form it came from', () => {
    const rule: AlertRule = {
      id: 1,
      namespace: 'default',
      name: 'billing failing',
      scope: { app: 'billing' },
      on: 'failure_rate',
      threshold: 0.25,
      windowSeconds: 7200,
      notify: { contacts: [3], groups: [4], channels: ['email'] },
      silenceSeconds: 300,
      mutedUntil: null,
      enabled: false,
      templates: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const form = formOfRule(rule);
    expect(form).toMatchObject({ scopeKind: 'app', app: 'billing', windowMinutes: 120, enabled: false });
    expect(createBodyOf(form)).toMatchObject({
      scope: { app: 'billing' },
      on: 'failure_rate',
      threshold: 0.25,
      windowSeconds: 7200,
      notify: { contacts: [3], groups: [4], channels: ['email'] },
    });
  });
});
