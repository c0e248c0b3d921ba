import { HOLD_REASON_LABELS, HOLD_REASONS, type OrderView } from '@orderhub/contracts';
import { Alert, Button, List, Modal, Progress, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { messages } from '../messages.ts';
import { LIST_SHORTCUTS } from '../shortcuts.ts';
import { approvePlan, refusalText } from '../stock.ts';
import type { BatchRun } from './useBatch.ts';

/** Before a batch approve: how many will be approved, which are skipped and why. */
export function ApproveConfirmModal({
  orders,
  open,
  onOk,
  onCancel,
}: {
  orders: OrderView[];
  open: boolean;
  onOk: (plan: ReturnType<typeof approvePlan>) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const plan = approvePlan(orders, locale);
  return (
    <Modal
      open={open}
      title={t('approveConfirmTitle')}
      onCancel={onCancel}
      okText={t('approveConfirmOk', { n: plan.approve.length })}
      okButtonProps={{ disabled: !plan.approve.length, 'data-testid': 'approve-confirm-ok' } as never}
      onOk={() => onOk(plan)}
      destroyOnHidden
    >
      <div data-testid="approve-confirm">
        <Typography.Paragraph strong>
          {plan.approve.length
            ? t('approveConfirmBody', { n: plan.approve.length })
            : t('approveConfirmNone')}
        </Typography.Paragraph>
        {plan.skip.length ? (
          <>
            <Typography.Paragraph style={{ marginBottom: 4 }}>
              {t('approveConfirmSkip', { n: plan.skip.length })}
            </Typography.Paragraph>
            <List
              size="small"
              bordered
              dataSource={plan.skip}
              style={{ maxHeight: 240, overflow: 'auto', marginBottom: 12 }}
              renderItem={(s) => (
                <List.Item data-skip={s.id}>
                  <Typography.Text strong>{s.orderNo}</Typography.Text>
                  <Typography.Text type="secondary">{s.reason}</Typography.Text>
                </List.Item>
              )}
            />
          </>
        ) : null}
        <Alert type="info" showIcon message={t('approveConfirmGuard')} />
      </div>
    </Modal>
  );
}

interface ResultRow {
  id: string;
  label: string;
  outcome: 'failed' | 'skipped';
  code?: string;
  reason: string;
}

/** Progress, then who succeeded, failed or was skipped, each with the reason in words. */
export function BatchResultModal({ run, onClose }: { run: BatchRun | null; onClose: () => void }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const result = run?.result;
  const rows: ResultRow[] = [
    ...(result?.failed ?? []).map((f) => ({
      id: f.id,
      label: f.label,
      outcome: 'failed' as const,
      code: f.code,
      reason: refusalText(f.code, f.details, f.message, locale),
    })),
    ...(run?.skipped ?? []).map((s) => ({
      id: s.id,
      label: s.orderNo,
      outcome: 'skipped' as const,
      reason: s.reason,
    })),
  ];
  return (
    <Modal
      open={run !== null}
      title={t('batchResult')}
      onCancel={() => result && onClose()}
      closable={Boolean(result)}
      width={640}
      footer={
        result ? (
          <Button type="primary" onClick={onClose}>
            {t('close')}
          </Button>
        ) : null
      }
    >
      {run ? (
        <div data-testid="batch-result">
          <Progress percent={Math.round((run.done / Math.max(1, run.total)) * 100)} />
          {result ? (
            <>
              <Typography.Paragraph strong>
                {run.skipped.length
                  ? t('batchSummarySkipped', {
                      ok: result.succeeded.length,
                      failed: result.failed.length,
                      skipped: run.skipped.length,
                    })
                  : t('batchSummary', { ok: result.succeeded.length, failed: result.failed.length })}
              </Typography.Paragraph>
              {rows.length ? (
                <Table<ResultRow>
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={rows}
                  columns={[
                    {
                      title: t('orderNo'),
                      dataIndex: 'label',
                      render: (v, r) => <Link to={`/orders/${encodeURIComponent(r.id)}`}>{v}</Link>,
                    },
                    {
                      title: t('result'),
                      render: (_, r) =>
                        r.outcome === 'skipped' ? (
                          <Tag>{t('skipped')}</Tag>
                        ) : (
                          <Tag color="red" title={r.code}>
                            {r.code}
                          </Tag>
                        ),
                    },
                    { title: t('reason'), dataIndex: 'reason' },
                  ]}
                />
              ) : null}
            </>
          ) : (
            <Typography.Text>{t('batchRunning', { done: run.done, total: run.total })}</Typography.Text>
          )}
        </div>
      ) : null}
    </Modal>
  );
}

/** Tags to add to every selected order (1–32 characters each, as the server accepts). */
export function AddTagModal({
  open,
  onOk,
  onCancel,
}: {
  open: boolean;
  onOk: (tags: string[]) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const [tags, setTags] = useState<string[]>([]);
  const clean = [...new Set(tags.map((x) => x.trim()).filter((x) => x.length > 0 && x.length <= 32))];
  return (
    <Modal
      open={open}
      title={t('addTag')}
      onCancel={onCancel}
      okButtonProps={{ disabled: !clean.length, 'data-testid': 'batch-tag-ok' } as never}
      onOk={() => {
        onOk(clean);
        setTags([]);
      }}
      destroyOnHidden
    >
      <div data-testid="batch-tag-input">
        <Select
          mode="tags"
          style={{ width: '100%' }}
          placeholder={t('tagPlaceholder')}
          value={tags}
          onChange={setTags}
          open={false}
        />
      </div>
    </Modal>
  );
}

export function HoldReasonModal({
  open,
  onOk,
  onCancel,
}: {
  open: boolean;
  onOk: (reason: string) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [reason, setReason] = useState<string>();
  return (
    <Modal
      open={open}
      title={t('hold')}
      onCancel={onCancel}
      okButtonProps={{ disabled: !reason }}
      onOk={() => reason && onOk(reason)}
    >
      <Select
        style={{ width: '100%' }}
        placeholder={t('chooseReason')}
        value={reason}
        onChange={setReason}
        options={HOLD_REASONS.map((r) => ({ value: r, label: labelOf(HOLD_REASON_LABELS, r, locale) }))}
      />
    </Modal>
  );
}

export function ShortcutHelpModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT(messages);
  return (
    <Modal open={open} title={t('shortcuts')} footer={null} onCancel={onClose}>
      <Table
        size="small"
        pagination={false}
        rowKey="key"
        dataSource={LIST_SHORTCUTS}
        columns={[
          {
            title: t('key'),
            dataIndex: 'key',
            render: (k) => <Typography.Text keyboard>{k}</Typography.Text>,
          },
          {
            title: t('actions'),
            dataIndex: 'action',
            render: (a: string) => t(`sc${a.charAt(0).toUpperCase()}${a.slice(1)}`),
          },
        ]}
      />
    </Modal>
  );
}
