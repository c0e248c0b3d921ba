import { CANCEL_REASONS, HOLD_REASON_LABELS, HOLD_REASONS, type OrderView } from '@orderhub/contracts';
import { Alert, Button, List, Modal, Progress, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { CANCEL_REASON_LABELS } from '../../../shared/messages.ts';
import { messages } from '../messages.ts';
import { LIST_SHORTCUTS } from '../shortcuts.ts';
import { approvePlan, type BatchSkip, cancelPlan, refusalText } from '../stock.ts';
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
        <SkipList skip={plan.skip} title={t('approveConfirmSkip', { n: plan.skip.length })} />
        <Alert type="info" showIcon message={t('approveConfirmGuard')} />
      </div>
    </Modal>
  );
}

/** The orders a batch leaves alone, each with the reason in words. */
function SkipList({ skip, title }: { skip: BatchSkip[]; title: string }) {
  if (!skip.length) return null;
  return (
    <>
      <Typography.Paragraph style={{ marginBottom: 4 }}>{title}</Typography.Paragraph>
      <List
        size="small"
        bordered
        dataSource={skip}
        style={{ maxHeight: 240, overflow: 'auto', marginBottom: 12 }}
        renderItem={(s) => (
          <List.Item data-skip={s.id} style={{ gap: 12 }}>
            <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
              {s.orderNo}
            </Typography.Text>
            <Typography.Text type="secondary">{s.reason}</Typography.Text>
          </List.Item>
        )}
      />
    </>
  );
}

/** Before a batch cancel: how many, which are skipped and why, and the reason every cancel carries. */
export function CancelConfirmModal({
  orders,
  open,
  onOk,
  onCancel,
}: {
  orders: OrderView[];
  open: boolean;
  onOk: (plan: ReturnType<typeof cancelPlan>, reason: string) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const plan = cancelPlan(orders, locale);
  const [reason, setReason] = useState<string>();
  return (
    <Modal
      open={open}
      title={t('cancelConfirmTitle')}
      onCancel={onCancel}
      cancelText={t('keepOrders')}
      okText={t('cancelConfirmOk', { n: plan.cancel.length })}
      okButtonProps={
        {
          danger: true,
          disabled: !plan.cancel.length || !reason,
          'data-testid': 'cancel-confirm-ok',
        } as never
      }
      onOk={() => reason && onOk(plan, reason)}
      afterClose={() => setReason(undefined)}
      destroyOnHidden
    >
      <div data-testid="cancel-confirm">
        <Typography.Paragraph strong>
          {plan.cancel.length ? t('cancelConfirmBody', { n: plan.cancel.length }) : t('cancelConfirmNone')}
        </Typography.Paragraph>
        <SkipList skip={plan.skip} title={t('cancelConfirmSkip', { n: plan.skip.length })} />
        {plan.cancel.length ? (
          <Select
            style={{ width: '100%' }}
            placeholder={t('cancelReason')}
            value={reason}
            onChange={setReason}
            data-testid="cancel-reason"
            options={CANCEL_REASONS.map((r) => ({
              value: r,
              label: labelOf(CANCEL_REASON_LABELS, r, locale),
            }))}
          />
        ) : null}
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
                  tableLayout="fixed"
                  scroll={{ y: 320 }}
                  columns={[
                    {
                      title: t('orderNo'),
                      dataIndex: 'label',
                      width: 170,
                      ellipsis: true,
                      render: (v, r) => <Link to={`/orders/${encodeURIComponent(r.id)}`}>{v}</Link>,
                    },
                    {
                      title: t('result'),
                      width: 150,
                      render: (_, r) =>
                        r.outcome === 'skipped' ? (
                          <Tag>{t('skipped')}</Tag>
                        ) : (
                          <Tag
                            color="red"
                            title={r.code}
                            style={{ maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis' }}
                          >
                            {r.code}
                          </Tag>
                        ),
                    },
                    {
                      title: t('reason'),
                      dataIndex: 'reason',
                      render: (v: string) => <span style={{ overflowWrap: 'anywhere' }}>{v}</span>,
                    },
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
