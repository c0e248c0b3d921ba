import { EditOutlined, MessageOutlined } from '@ant-design/icons';
import type { OrderView } from '@orderhub/contracts';
import { Button, Space, type TableColumnsType, Tag, Tooltip, Typography } from 'antd';
import { Link } from 'react-router';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { ChannelName, HoldReasonTag, Money, StatusTag, Time } from '../../../shared/ui.tsx';
import { SellerFlag } from '../detail/SellerNote.tsx';
import { messages } from '../messages.ts';

export const ALL_COLUMNS = [
  'orderNo',
  'lines',
  'remarks',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'paidAt',
  'updatedAt',
  'tags',
];
export const DEFAULT_COLUMNS = [
  'orderNo',
  'lines',
  'remarks',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'tags',
];

/** Columns the server sorts by (an index backs each): the column key is the sort field. */
export const SORTABLE = ['placedAt', 'paidAt', 'updatedAt'];

/**
 * The columns to show, in the user's order: unknown keys dropped, never empty, and the order number
 * first when shown (it is fixed to the left while the table scrolls).
 */
export function arrangeColumns(chosen: readonly string[], available: readonly string[]): string[] {
  const known = [...new Set(chosen)].filter((k) => available.includes(k));
  const list = known.length ? known : available.filter((k) => DEFAULT_COLUMNS.includes(k)).slice(0, 1);
  return list.includes('orderNo') ? ['orderNo', ...list.filter((k) => k !== 'orderNo')] : list;
}

/** Moves a column one place up (-1) or down (+1) among the shown ones. */
export function moveColumn(columns: readonly string[], key: string, by: -1 | 1): string[] {
  const i = columns.indexOf(key);
  const j = i + by;
  if (i < 0 || j < 0 || j >= columns.length) return [...columns];
  const next = [...columns];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}

/** The list's columns; the order is named by its orderNo, the id stays in the link. */
export function useOrderColumns(opts: {
  sort?: string;
  onEditNote?: (o: OrderView) => void;
}): TableColumnsType<OrderView> {
  const t = useT(messages);
  const { can } = useSession();
  const [sortField, sortDir] = (opts.sort ?? 'placedAt:desc').split(':');
  const sortable = (key: string) => ({
    sorter: true,
    sortDirections: ['descend' as const, 'ascend' as const, 'descend' as const],
    sortOrder: sortField === key ? (sortDir === 'asc' ? ('ascend' as const) : ('descend' as const)) : null,
  });
  return [
    {
      key: 'orderNo',
      title: t('orderNo'),
      fixed: 'left',
      width: 160,
      render: (_, o) => (
        <Link to={`/orders/${encodeURIComponent(o.id)}`} data-order-link={o.id} data-order-no={o.orderNo}>
          {o.orderNo || o.externalOrderId}
        </Link>
      ),
    },
    {
      key: 'lines',
      title: t('linesCol'),
      width: 260,
      render: (_, o) => {
        const preview = o.linesPreview ?? [];
        return (
          <div data-lines={o.id} style={{ minWidth: 220, maxWidth: 300 }}>
            {preview.map((l) => (
              <div
                key={`${l.channelSku}|${l.sku ?? ''}|${l.title ?? ''}|${l.quantity}`}
                style={{ lineHeight: '20px' }}
              >
                <Typography.Text
                  ellipsis={{ tooltip: l.title ?? l.sku ?? l.channelSku }}
                  style={{ maxWidth: 300 }}
                >
                  {l.title ? `${l.title} ` : ''}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {l.sku ?? l.channelSku} × {l.quantity}
                  </Typography.Text>
                </Typography.Text>
              </div>
            ))}
            {o.lineCount > preview.length ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-more-lines={o.lineCount}>
                {t('moreLines', { n: o.lineCount })}
              </Typography.Text>
            ) : null}
          </div>
        );
      },
    },
    {
      key: 'remarks',
      title: t('remarksCol'),
      width: 110,
      render: (_, o) => (
        <Space size={6}>
          {o.buyerRemark ? (
            <Tooltip title={`${t('buyerRemark')}${t('colonSep')}${o.buyerRemark}`}>
              <MessageOutlined style={{ color: '#fa8c16' }} data-buyer-remark={o.buyerRemark} />
            </Tooltip>
          ) : null}
          <SellerFlag flag={o.sellerFlag ?? null} note={o.sellerRemark} />
          {opts.onEditNote && can('orders:review') ? (
            <Tooltip title={t('sellerNoteEdit')}>
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                aria-label={t('sellerNoteEdit')}
                data-edit-note={o.id}
                onClick={() => opts.onEditNote?.(o)}
              />
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    { key: 'externalOrderId', title: t('externalOrderId'), dataIndex: 'externalOrderId' },
    {
      key: 'channel',
      title: t('channel'),
      render: (_, o) => (
        <Space direction="vertical" size={0} style={{ whiteSpace: 'nowrap' }}>
          <ChannelName channel={o.channel} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }} title={o.channelAccount}>
            {o.channelAccountName}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'status',
      title: t('status'),
      render: (_, o) => (
        <Space size={4}>
          <StatusTag status={o.status} />
          <HoldReasonTag reason={o.holdReason} />
        </Space>
      ),
    },
    ...(can('orders:amounts')
      ? [
          {
            key: 'total',
            title: t('total'),
            align: 'right' as const,
            render: (_: unknown, o: OrderView) => <Money minor={o.total} currency={o.currency} />,
          },
        ]
      : []),
    {
      key: 'receiver',
      title: t('receiver'),
      render: (_, o) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {o.receiver.name} {o.receiver.phone}
        </span>
      ),
    },
    {
      key: 'placedAt',
      title: t('placedAt'),
      ...sortable('placedAt'),
      render: (_, o) => <Time at={o.placedAt} />,
    },
    { key: 'paidAt', title: t('paidAt'), ...sortable('paidAt'), render: (_, o) => <Time at={o.paidAt} /> },
    {
      key: 'updatedAt',
      title: t('updatedAt'),
      ...sortable('updatedAt'),
      render: (_, o) => <Time at={o.updatedAt} />,
    },
    {
      key: 'tags',
      title: t('tags'),
      render: (_, o) => (
        <Space size={[0, 4]} wrap style={{ minWidth: 80 }}>
          {o.tags.map((tag) => (
            <Tag key={tag}>{tag}</Tag>
          ))}
        </Space>
      ),
    },
  ];
}
