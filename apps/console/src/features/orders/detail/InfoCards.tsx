import { EditOutlined, EyeOutlined, GiftOutlined, HistoryOutlined } from '@ant-design/icons';
import type { OrderDetailView } from '@orderhub/contracts';
import { Button, Card, Col, Descriptions, Row, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { ChannelName, Money, Time } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';
import { LineModal, ReceiverHistoryModal, ReceiverModal, useEditRule } from './EditDialogs.tsx';
import { SellerFlag, SellerNoteModal } from './SellerNote.tsx';
import type { Receiver } from './useOrderDetail.ts';

/** Where the order came from, who receives it (masked, audited reveal) and what it costs. */
export function InfoCards({
  order: o,
  receiver,
  onReveal,
  revealing,
}: {
  order: OrderDetailView;
  receiver: Receiver;
  onReveal: () => void;
  revealing: boolean;
}) {
  const t = useT(messages);
  const { can } = useSession();
  const [editingNote, setEditingNote] = useState(false);
  const [editingReceiver, setEditingReceiver] = useState(false);
  const [showingHistory, setShowingHistory] = useState(false);
  const rule = useEditRule(o);
  return (
    <Row gutter={16}>
      <ReceiverModal
        order={o}
        receiver={receiver}
        open={editingReceiver}
        onClose={() => setEditingReceiver(false)}
      />
      <ReceiverHistoryModal order={o} open={showingHistory} onClose={() => setShowingHistory(false)} />
      <SellerNoteModal order={editingNote ? o : null} onClose={() => setEditingNote(false)} />
      <Col xs={24} lg={12}>
        <Card size="small" style={{ marginBottom: 16 }}>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('orderNo')}>
              <Typography.Text copyable data-testid="order-no">
                {o.orderNo}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('externalOrderId')}>
              <Typography.Text copyable>{o.externalOrderId}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('channel')}>
              <ChannelName channel={o.channel} /> ·{' '}
              <span title={o.channelAccount}>{o.channelAccountName}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('placedAt')}>
              <Time at={o.placedAt} />
              {o.placedAtRaw ? <Typography.Text type="secondary"> ({o.placedAtRaw})</Typography.Text> : null}
            </Descriptions.Item>
            <Descriptions.Item label={t('paidAt')}>
              <Time at={o.paidAt} />
            </Descriptions.Item>
            <Descriptions.Item label={t('tags')}>
              {o.tags.length ? (
                o.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              )}
            </Descriptions.Item>
            {o.buyerRemark ? (
              <Descriptions.Item label={t('buyerRemark')}>{o.buyerRemark}</Descriptions.Item>
            ) : null}
            <Descriptions.Item label={t('sellerRemark')}>
              <Space size={6} align="start" data-testid="detail-seller-note">
                <SellerFlag flag={o.sellerFlag ?? null} note={null} />
                {o.sellerRemark ? (
                  <span style={{ whiteSpace: 'pre-wrap' }}>{o.sellerRemark}</span>
                ) : (
                  <Typography.Text type="secondary">{t('sellerNoteEmpty')}</Typography.Text>
                )}
                {can('orders:review') ? (
                  <Button
                    size="small"
                    type="link"
                    icon={<EditOutlined />}
                    onClick={() => setEditingNote(true)}
                    data-testid="edit-seller-note"
                  >
                    {t('sellerNoteEdit')}
                  </Button>
                ) : null}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('version')}>{o.version}</Descriptions.Item>
          </Descriptions>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card
          size="small"
          title={t('receiver')}
          style={{ marginBottom: 16 }}
          // The title keeps its width; the actions beside it wrap (English at 1024 px left the
          // title no room at all).
          styles={{ title: { flex: 'none', marginInlineEnd: 12 }, extra: { flex: 1, minWidth: 0 } }}
          extra={
            <Space size={4} wrap style={{ justifyContent: 'flex-end', width: '100%' }}>
              <EditButton
                rule={rule}
                onClick={() => setEditingReceiver(true)}
                testId="edit-receiver"
                icon={<EditOutlined />}
                label={t('editReceiver')}
              />
              <Button
                size="small"
                type="link"
                icon={<HistoryOutlined />}
                onClick={() => setShowingHistory(true)}
                data-testid="receiver-history-open"
              >
                {t('receiverHistory')}
              </Button>
              {receiver.masked && can('pii:read') ? (
                <Button
                  size="small"
                  icon={<EyeOutlined />}
                  onClick={onReveal}
                  loading={revealing}
                  data-testid="reveal"
                >
                  {t('reveal')}
                </Button>
              ) : receiver.masked ? (
                <Tag>{t('masked')}</Tag>
              ) : (
                <Tag color="orange">{t('revealed')}</Tag>
              )}
            </Space>
          }
        >
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('receiver')}>{receiver.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('phone')}>
              <span data-testid="receiver-phone">{receiver.phone ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('address')}>
              {[receiver.province, receiver.city, receiver.district, receiver.detail]
                .filter(Boolean)
                .join(' ')}
            </Descriptions.Item>
            {receiver.platformRef ? (
              <Descriptions.Item label={t('platformRef')}>{receiver.platformRef}</Descriptions.Item>
            ) : null}
          </Descriptions>
        </Card>
        {can('orders:amounts') ? (
          <Card size="small" title={t('amounts')} style={{ marginBottom: 16 }} data-testid="amounts">
            <Descriptions size="small" column={2}>
              <Descriptions.Item label={t('goodsAmount')}>
                <Money minor={o.goodsAmount} currency={o.currency} />
              </Descriptions.Item>
              <Descriptions.Item label={t('shippingFee')}>
                <Money minor={o.shippingFee} currency={o.currency} />
              </Descriptions.Item>
              <Descriptions.Item label={t('discount')}>
                <Money minor={o.discount} currency={o.currency} />
              </Descriptions.Item>
              <Descriptions.Item label={t('tax')}>
                <Money minor={o.tax} currency={o.currency} />
              </Descriptions.Item>
              <Descriptions.Item label={t('total')}>
                <Typography.Text strong>
                  <Money minor={o.total} currency={o.currency} />
                </Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </Card>
        ) : null}
      </Col>
    </Row>
  );
}

type Line = OrderDetailView['lines'][number];

/** The order's lines; an unmapped SKU is marked in words. */
export function LinesCard({ order: o }: { order: OrderDetailView }) {
  const t = useT(messages);
  const { can } = useSession();
  const rule = useEditRule(o);
  const [editing, setEditing] = useState<Line | null>(null);
  const [addingGift, setAddingGift] = useState(false);
  return (
    <Card
      size="small"
      title={t('lines')}
      style={{ marginBottom: 16 }}
      extra={
        <EditButton
          rule={rule}
          onClick={() => setAddingGift(true)}
          testId="add-gift"
          icon={<GiftOutlined />}
          label={t('addGift')}
        />
      }
    >
      <LineModal
        order={o}
        line={editing}
        gift={addingGift}
        onClose={() => {
          setEditing(null);
          setAddingGift(false);
        }}
      />
      <Table<Line>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={o.lines}
        scroll={{ x: 'max-content' }}
        rowClassName={(l) => (l.sku ? '' : 'line-unmapped')}
        columns={[
          { title: '#', dataIndex: 'lineNo', width: 48 },
          {
            title: t('titleCol'),
            dataIndex: 'title',
            render: (title: string | null, l: Line) => (
              <Space size={6}>
                <span>{title}</span>
                {l.gift ? (
                  <Tag color="magenta" data-gift-line={l.lineNo}>
                    {t('giftTag')}
                  </Tag>
                ) : null}
              </Space>
            ),
          },
          { title: t('channelSku'), dataIndex: 'channelSku' },
          {
            title: t('masterSku'),
            dataIndex: 'sku',
            render: (sku: string | null) =>
              sku ?? (
                <Tag color="red" data-unmapped>
                  {t('unmappedTag')}
                </Tag>
              ),
          },
          { title: t('quantity'), dataIndex: 'quantity', align: 'right' },
          ...(can('orders:amounts')
            ? [
                {
                  title: t('unitPrice'),
                  align: 'right' as const,
                  render: (_: unknown, l: Line) => <Money minor={l.unitPrice} currency={o.currency} />,
                },
                {
                  title: t('lineAmount'),
                  align: 'right' as const,
                  render: (_: unknown, l: Line) => <Money minor={l.amount} currency={o.currency} />,
                },
              ]
            : []),
          {
            title: t('lineActions'),
            key: 'actions',
            // Kept in view at 1024 px while the other columns scroll.
            fixed: 'right' as const,
            render: (_: unknown, l: Line) => (
              <EditButton
                rule={rule}
                onClick={() => setEditing(l)}
                testId={`edit-line-${l.lineNo}`}
                icon={<EditOutlined />}
                label={t('editLine')}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}

/** An edit action, disabled with the reason (the role, or the order's status) when it may not be taken now. */
function EditButton({
  rule,
  onClick,
  testId,
  icon,
  label,
}: {
  rule: { allowed: boolean; reason: string | null };
  onClick: () => void;
  testId: string;
  icon: ReactNode;
  label: string;
}) {
  const button = (
    <Button
      size="small"
      type="link"
      icon={icon}
      disabled={!rule.allowed}
      onClick={onClick}
      data-testid={testId}
    >
      {label}
    </Button>
  );
  return rule.allowed ? (
    button
  ) : (
    <Tooltip title={rule.reason}>
      <span data-edit-blocked={testId}>{button}</span>
    </Tooltip>
  );
}
