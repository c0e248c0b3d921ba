import { EditOutlined, EyeOutlined } from '@ant-design/icons';
import type { OrderDetailView } from '@orderhub/contracts';
import { Button, Card, Col, Descriptions, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { ChannelName, Money, Time } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';
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
  return (
    <Row gutter={16}>
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
              <ChannelName channel={o.channel} /> · {o.channelAccount}
            </Descriptions.Item>
            <Descriptions.Item label={t('placedAt')}>
              <Time at={o.placedAt} />
              {o.placedAtRaw ? <Typography.Text type="secondary"> ({o.placedAtRaw})</Typography.Text> : null}
            </Descriptions.Item>
            <Descriptions.Item label={t('paidAt')}>
              <Time at={o.paidAt} />
            </Descriptions.Item>
            <Descriptions.Item label={t('tags')}>
              {o.tags.map((tag) => (
                <Tag key={tag}>{tag}</Tag>
              ))}
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
          extra={
            receiver.masked && can('pii:read') ? (
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
            )
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
              <Descriptions.Item label={t('payments')}>
                <Typography.Text type="secondary">{t('notRecorded')}</Typography.Text>
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
  return (
    <Card size="small" title={t('lines')} style={{ marginBottom: 16 }}>
      <Table<Line>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={o.lines}
        scroll={{ x: 'max-content' }}
        rowClassName={(l) => (l.sku ? '' : 'line-unmapped')}
        columns={[
          { title: '#', dataIndex: 'lineNo', width: 48 },
          { title: t('titleCol'), dataIndex: 'title' },
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
        ]}
      />
    </Card>
  );
}
