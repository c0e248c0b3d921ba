import { UploadOutlined } from '@ant-design/icons';
import type { CountView } from '@orderhub/contracts';
import { Alert, App, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { ApiError, api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { PROBLEM_LABELS } from './labels.ts';
import { messages } from './messages.ts';
import { type BadRow, badRowsOf, sheetFormatOf, toBase64 } from './sheet.ts';

/** Count import: pick a CSV or XLSX sheet, see every difference (or every bad row), apply on confirmation. */
export function CountImport() {
  const t = useT(messages);
  const { locale } = useLocale();
  const { modal } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string>();
  const [preview, setPreview] = useState<CountView | null>(null);
  const [badRows, setBadRows] = useState<BadRow[]>([]);
  const [wrongFormat, setWrongFormat] = useState(false);

  const read = useApiMutation(
    async (format: 'csv' | 'xlsx', file: File) => {
      const content = toBase64(new Uint8Array(await file.arrayBuffer()));
      return api<CountView>('/api/inventory/counts:preview', { method: 'POST', body: { format, content } });
    },
    {
      onSuccess: setPreview,
      onError: (e) => {
        if (e instanceof ApiError) setBadRows(badRowsOf(e.details));
      },
    },
  );
  const applyCount = useApiMutation(
    (id: string) =>
      api<CountView>(`/api/inventory/counts/${encodeURIComponent(id)}/apply`, { method: 'POST', body: {} }),
    { success: t('applied'), invalidate: [['inventory']], onSuccess: setPreview },
  );
  const error = read.error ?? applyCount.error;

  async function pick(file: File) {
    setPreview(null);
    setBadRows([]);
    read.reset();
    applyCount.reset();
    setFileName(file.name);
    const format = sheetFormatOf(file.name);
    setWrongFormat(!format);
    if (format) await read.run(format, file);
    if (input.current) input.current.value = '';
  }

  function apply() {
    if (!preview) return;
    modal.confirm({
      title: t('apply'),
      content: t('applyConfirm', { diff: preview.differences }),
      okButtonProps: { 'data-testid': 'count-apply-ok' } as never,
      onOk: () => applyCount.run(preview.id),
    });
  }

  return (
    <Card size="small" data-testid="count-import">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <input
            ref={input}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            style={{ display: 'none' }}
            data-testid="count-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void pick(f);
            }}
          />
          <Button icon={<UploadOutlined />} loading={read.busy} onClick={() => input.current?.click()}>
            {t('pickFile')}
          </Button>
          {fileName ? <Typography.Text>{fileName}</Typography.Text> : null}
          <Typography.Text type="secondary">{t('fileHint')}</Typography.Text>
        </Space>
        {wrongFormat ? (
          <Alert type="error" showIcon message={t('wrongFormat')} data-testid="count-wrong-format" />
        ) : null}
        {error ? <ErrorAlert error={error} /> : null}
        {badRows.length ? (
          <>
            <Alert type="error" showIcon message={t('badRows')} />
            <Table<BadRow>
              data-testid="count-bad-rows"
              size="small"
              rowKey={(r) => `${r.row}-${r.problem}`}
              pagination={false}
              dataSource={badRows}
              columns={[
                { title: t('row'), dataIndex: 'row' },
                { title: t('sku'), dataIndex: 'sku' },
                { title: t('warehouse'), dataIndex: 'warehouse' },
                {
                  title: t('problem'),
                  dataIndex: 'problem',
                  render: (v: string, r) => (
                    <Tag color="red" data-problem={v}>
                      {PROBLEM_LABELS[v] ? labelOf(PROBLEM_LABELS, v, locale) : r.message}
                    </Tag>
                  ),
                },
              ]}
            />
          </>
        ) : null}
        {preview ? (
          <>
            <Space>
              <Typography.Text strong data-testid="count-summary">
                {t('differences', { rows: preview.rows.length, diff: preview.differences })}
              </Typography.Text>
              {preview.status === 'applied' ? (
                <Tag color="green" data-testid="count-applied">
                  {t('applied')}
                </Tag>
              ) : (
                <Button type="primary" onClick={apply} data-testid="count-apply">
                  {t('apply')}
                </Button>
              )}
            </Space>
            <Table
              data-testid="count-preview"
              size="small"
              rowKey="row"
              pagination={{ pageSize: 100, hideOnSinglePage: true }}
              dataSource={preview.rows}
              rowClassName={(r) => (r.difference !== 0 ? 'count-diff' : '')}
              columns={[
                { title: t('row'), dataIndex: 'row' },
                { title: t('sku'), dataIndex: 'sku' },
                { title: t('warehouse'), dataIndex: 'warehouse' },
                { title: t('expected'), dataIndex: 'expected', align: 'right' },
                { title: t('counted'), dataIndex: 'counted', align: 'right' },
                {
                  title: t('difference'),
                  dataIndex: 'difference',
                  align: 'right',
                  render: (v: number) =>
                    v === 0 ? (
                      '0'
                    ) : (
                      <Typography.Text type={v < 0 ? 'danger' : 'success'}>
                        {v > 0 ? `+${v}` : v}
                      </Typography.Text>
                    ),
                },
              ]}
            />
          </>
        ) : null}
      </Space>
    </Card>
  );
}
