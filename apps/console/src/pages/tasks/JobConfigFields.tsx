/** The config fields of each job type, and the rest of the config as JSON. */
import { JsonInput, Select, Stack, TextInput, Textarea } from '@mantine/core';
import type { TaskFormState } from './task-form-state.js';

type Props = {
  form: TaskFormState;
  setField: (key: string, value: string) => void;
  setExtra: (value: string) => void;
  errorOf: (field: string) => string | undefined;
};

export function JobConfigFields({ form, setField, setExtra, errorOf }: Props) {
  const text = (key: string, label: string, extra: { description?: string; required?: boolean } = {}) => (
    <TextInput
      label={label}
      value={form.fields[key] ?? ''}
      onChange={(e) => setField(key, e.currentTarget.value)}
      error={errorOf(`config.${key}`)}
      {...extra}
    />
  );
  const json = (key: string, label: string, description: string) => (
    <JsonInput
      label={label}
      description={description}
      value={form.fields[key] ?? ''}
      onChange={(v) => setField(key, v)}
      error={errorOf(`config.${key}`)}
      autosize
      minRows={3}
      formatOnBlur
    />
  );
  const select = (key: string, label: string, data: string[]) => (
    <Select
      label={label}
      data={data}
      value={form.fields[key] ?? null}
      onChange={(v) => setField(key, v ?? '')}
      error={errorOf(`config.${key}`)}
      allowDeselect={false}
    />
  );

  return (
    <Stack>
      {form.type === 'http' ? (
        <>
          {select('method', 'Method', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])}
          {text('url', 'URL', { required: true })}
          {json('body', 'Body (JSON)', 'Sent as JSON; empty sends the run’s input (not for GET and HEAD)')}
        </>
      ) : null}
      {form.type === 'script' ? (
        <>
          {select('language', 'Language', ['shell', 'python', 'node'])}
          <Textarea
            label="Source"
            value={form.fields['source'] ?? ''}
            onChange={(e) => setField('source', e.currentTarget.value)}
            error={errorOf('config.source')}
            autosize
            minRows={6}
            styles={{ input: { fontFamily: 'monospace' } }}
            required
          />
        </>
      ) : null}
      {form.type === 'executor' ? (
        <>
          {text('handler', 'Handler', { description: 'The executor’s handler name (XXL-JOB @XxlJob value)' })}
          {text('params', 'Params', { description: 'Passed to the handler; a run’s input replaces it' })}
          {select('routeStrategy', 'Route strategy', [
            'first',
            'last',
            'round',
            'random',
            'consistent_hash',
            'least_frequently_used',
            'least_recently_used',
            'failover',
            'busyover',
            'sharding_broadcast',
          ])}
        </>
      ) : null}
      {form.type === 'dify_workflow' ? (
        <>
          {text('endpoint', 'Dify API endpoint', {
            description: 'The base of the Dify API, e.g. https://api.dify.ai/v1',
            required: true,
          })}
          {text('apiKey', 'API key', { description: 'The workflow app’s API key (app-…)', required: true })}
          {json(
            'inputs',
            'Inputs (JSON)',
            'Values of the workflow’s Start variables; a run’s input is merged over them',
          )}
        </>
      ) : null}
      <JsonInput
        label="Other settings (JSON)"
        description="Any other config field of this job type (see docs/job-types.md)"
        value={form.extraConfig}
        onChange={setExtra}
        error={errorOf('config')}
        autosize
        minRows={2}
        formatOnBlur
      />
    </Stack>
  );
}
