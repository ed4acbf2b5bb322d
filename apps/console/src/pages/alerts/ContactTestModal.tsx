/**
 * "Send a test" to a contact: the server writes a test alert with one delivery per channel the
 * contact has; this follows its deliveries until each is sent or failed.
 */
import { Modal, Stack, Text } from '@mantine/core';
import type { AlertRule, Contact } from '@kairos/protocol';
import { AnchorLink } from '../../ui/links.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { AlertDetails } from './AlertDrawer.js';

export interface ContactTest {
  contact: Contact;
  alertId?: number | undefined;
  error?: unknown;
}

const NO_RULES = new Map<number, AlertRule>();

export function ContactTestModal({ test, onClose }: { test: ContactTest | null; onClose: () => void }) {
  return (
    <Modal
      opened={test !== null}
      onClose={onClose}
      size="xl"
      title={test ? `Test alert to ${test.contact.name}` : ''}
    >
      {test === null ? null : test.error !== undefined ? (
        <ErrorState error={test.error} title="The test was not sent" />
      ) : test.alertId === undefined ? (
        <Loading what="the test" />
      ) : (
        <Stack>
          <Text size="sm">
            Test alert #{test.alertId} is in the{' '}
            <AnchorLink to="/alerts" search={{ alert: test.alertId }}>
              alert history
            </AnchorLink>
            . Its deliveries:
          </Text>
          <AlertDetails alertId={test.alertId} rules={NO_RULES} />
        </Stack>
      )}
    </Modal>
  );
}
