import { Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../../shared/messages.ts';
import { messages } from '../messages.ts';
import { reasonLabel } from '../timeline.ts';
import type { NextEvent } from './useOrderDetail.ts';

/** Asks the reason code (in words) and an optional note for hold, cancel and close. */
export function ReasonModal({
  event,
  onOk,
  onCancel,
}: {
  event: NextEvent | null;
  onOk: (reason: string, note?: string) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [reason, setReason] = useState<string>();
  const [note, setNote] = useState('');
  return (
    <Modal
      open={event !== null}
      title={event ? labelOf(EVENT_LABELS, event.event, locale) : ''}
      onCancel={onCancel}
      okButtonProps={{ disabled: !reason }}
      onOk={() => reason && onOk(reason, note || undefined)}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select
          style={{ width: '100%' }}
          placeholder={t('chooseReason')}
          value={reason}
          onChange={setReason}
          data-testid="reason-select"
          options={(event?.needsReason ?? []).map((r) => ({ value: r, label: reasonLabel(r, locale) }))}
        />
        <Input.TextArea
          placeholder={t('note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={1000}
        />
      </Space>
    </Modal>
  );
}
