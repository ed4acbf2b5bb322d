/** /workflows/new: a workflow drawn from scratch. */
import { Stack, Title } from '@mantine/core';
import { WorkflowEditor } from './WorkflowEditor.js';
import { emptyDraft } from './editor-state.js';

export function NewWorkflowPage() {
  return (
    <Stack>
      <Title order={2}>New workflow</Title>
      <WorkflowEditor initial={emptyDraft()} />
    </Stack>
  );
}
