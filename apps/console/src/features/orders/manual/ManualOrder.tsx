import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { MAX_EDIT_QUANTITY, type OrderDetailView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../../shared/api.ts';
import { formatMoney } from '../../../shared/format.ts';
import { useApiMutation } from '../../../shared/hooks.ts';
import { useLocale, useT } from '../../../shared/i18n.tsx';
import { minorDigits, parseMinor } from '../../../shared/payments/money.ts';
import { ErrorAlert, PageTitle } from '../../../shared/ui.tsx';
import { SkuSelect } from '../detail/EditDialogs.tsx';
import { messages } from '../messages.ts';

/** Channels of the merchant's own shops (the server's own-storefront setting decides; it refuses others). */
const OWN_CHANNELS = ['api', 'wechat_mini', 'pos', 'shopify'];
const CURRENCY = 'CNY';

interface Account {
  code: string;
  name: string;
  channel: string;
  active: boolean;
}
interface LineInput {
  sku?: string;
  quantity?: number;
  price?: string;
}
interface FormValues {
  channelAccount: string;
  name: string;
  phone: string;
  province: string;
  city: string;
  district?: string;
  detail: string;
  postalCode?: string;
  buyerNick?: string;
  lines: LineInput[];
  shipping?: string;
  discount?: string;
  paid: boolean;
  buyerRemark?: string;
  sellerRemark?: string;
}

const newRequestId = () => globalThis.crypto.randomUUID();

/**
 * 手工建单: an order taken by phone or in store, for one of the merchant's own shops. It goes
 * through the same ingest as API orders; one request id per opened form, so a double click or a
 * retry after a lost answer never makes two orders.
 */
export default function ManualOrder() {
  const t = useT(messages);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const [form] = Form.useForm<FormValues>();
  const [requestId] = useState(newRequestId);
  const accounts = useQuery({
    queryKey: ['channel-accounts'],
    queryFn: ({ signal }) => api<Account[]>('/api/channel-accounts', { signal }),
  });
  const own = useMemo(
    () => (accounts.data ?? []).filter((a) => a.active && OWN_CHANNELS.includes(a.channel)),
    [accounts.data],
  );
  useEffect(() => {
    if (own.length && !form.getFieldValue('channelAccount'))
      form.setFieldValue('channelAccount', own[0]!.code);
  }, [own, form]);
  const values = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const money = (text: string | undefined) => (text?.trim() ? parseMinor(text, CURRENCY) : 0);
  const goods = (values?.lines ?? []).reduce(
    (a, l) => a + (money(l?.price) ?? 0) * (typeof l?.quantity === 'number' ? l.quantity : 0),
    0,
  );
  const total = goods + (money(values?.shipping) ?? 0) - (money(values?.discount) ?? 0);

  const create = useApiMutation(
    (v: FormValues) =>
      api<OrderDetailView>('/api/orders/manual', {
        method: 'POST',
        body: {
          requestId,
          channelAccount: v.channelAccount,
          receiver: {
            name: v.name.trim(),
            phone: v.phone.trim(),
            province: v.province.trim(),
            city: v.city.trim(),
            ...(v.district?.trim() ? { district: v.district.trim() } : {}),
            detail: v.detail.trim(),
            ...(v.postalCode?.trim() ? { postalCode: v.postalCode.trim() } : {}),
          },
          ...(v.buyerNick?.trim() ? { buyerNick: v.buyerNick.trim() } : {}),
          lines: v.lines.map((l) => ({
            sku: l.sku!,
            quantity: l.quantity!,
            unitPrice: parseMinor(l.price ?? '', CURRENCY) ?? 0,
          })),
          shippingFee: money(v.shipping) ?? 0,
          discount: money(v.discount) ?? 0,
          paid: v.paid,
          ...(v.buyerRemark?.trim() ? { buyerRemark: v.buyerRemark.trim() } : {}),
          ...(v.sellerRemark?.trim() ? { sellerRemark: v.sellerRemark.trim() } : {}),
        },
      }),
    {
      success: (o) => t('manualCreated', { orderNo: o.orderNo }),
      invalidate: [['orders', 'list']],
      onSuccess: (o) => navigate(`/orders/${encodeURIComponent(o.id)}`),
    },
  );

  const required = (field: string) => [
    { required: true, whitespace: true, message: t('fieldRequired', { field }) },
  ];
  const amountRule = {
    validator: (_r: unknown, v: string | undefined) =>
      !v?.trim() || parseMinor(v, CURRENCY) !== null
        ? Promise.resolve()
        : Promise.reject(new Error(t('unitPriceBad', { digits: minorDigits(CURRENCY) }))),
  };

  return (
    <div data-testid="manual-order">
      <PageTitle extra={<Link to="/orders">← {t('title')}</Link>}>{t('manualOrderTitle')}</PageTitle>
      <Typography.Paragraph type="secondary">{t('manualOrderIntro')}</Typography.Paragraph>
      {accounts.isSuccess && own.length === 0 ? (
        <Alert type="warning" showIcon message={t('manualNoShop')} style={{ marginBottom: 16 }} />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ paid: true, lines: [{ quantity: 1 }] }}
        onFinish={(v) => void create.run(v)}
        data-testid="manual-form"
      >
        <Row gutter={16}>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('orderSection')} style={{ marginBottom: 16 }}>
              <Form.Item name="channelAccount" label={t('manualShop')} rules={required(t('manualShop'))}>
                <Select
                  id="manual-shop"
                  loading={accounts.isPending}
                  options={own.map((a) => ({ value: a.code, label: `${a.name}（${a.code}）` }))}
                />
              </Form.Item>
              <Form.Item name="paid" label={t('manualPaid')}>
                <Radio.Group>
                  <Space direction="vertical">
                    <Radio value={true} data-testid="manual-paid">
                      {t('manualPaidYes')}
                    </Radio>
                    <Radio value={false} data-testid="manual-unpaid">
                      {t('manualPaidNo')}
                    </Radio>
                  </Space>
                </Radio.Group>
              </Form.Item>
              <Form.Item name="buyerNick" label={t('manualBuyerNick')}>
                <Input maxLength={128} id="manual-buyer" />
              </Form.Item>
              <Form.Item name="buyerRemark" label={t('manualBuyerRemark')}>
                <Input.TextArea rows={2} maxLength={1000} />
              </Form.Item>
              <Form.Item name="sellerRemark" label={t('manualSellerRemark')}>
                <Input.TextArea rows={2} maxLength={1000} id="manual-seller-remark" />
              </Form.Item>
            </Card>
          </Col>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('receiverSection')} style={{ marginBottom: 16 }}>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="name" label={t('receiverName')} rules={required(t('receiverName'))}>
                    <Input maxLength={100} id="manual-name" />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item
                    name="phone"
                    label={t('receiverPhone')}
                    rules={[
                      ...required(t('receiverPhone')),
                      { pattern: /^[+\d][\d\s-]{4,30}$/, message: t('phoneBad') },
                    ]}
                  >
                    <Input maxLength={32} inputMode="tel" id="manual-phone" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="province" label={t('province')} rules={required(t('province'))}>
                    <Input maxLength={50} id="manual-province" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="city" label={t('city')} rules={required(t('city'))}>
                    <Input maxLength={50} id="manual-city" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="district" label={t('district')}>
                    <Input maxLength={50} id="manual-district" />
                  </Form.Item>
                </Col>
                <Col span={16}>
                  <Form.Item name="detail" label={t('detailAddress')} rules={required(t('detailAddress'))}>
                    <Input maxLength={300} id="manual-detail" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="postalCode" label={t('postalCode')}>
                    <Input maxLength={20} />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
          </Col>
        </Row>
        <Card size="small" title={t('manualLines')} style={{ marginBottom: 16 }}>
          <Form.List
            name="lines"
            rules={[
              {
                validator: (_r, lines: LineInput[] | undefined) =>
                  lines?.length ? Promise.resolve() : Promise.reject(new Error(t('manualNoLines'))),
              },
            ]}
          >
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((f, i) => (
                  <Row gutter={12} key={f.key} align="top" data-manual-line={i + 1}>
                    <Col xs={24} md={11}>
                      <Form.Item
                        name={[f.name, 'sku']}
                        label={i === 0 ? t('pickSku') : undefined}
                        rules={[{ required: true, message: t('fieldRequired', { field: t('sku') }) }]}
                      >
                        <SkuSelect id={`manual-sku-${i + 1}`} testId={`manual-sku-${i + 1}`} />
                      </Form.Item>
                    </Col>
                    <Col xs={8} md={4}>
                      <Form.Item
                        name={[f.name, 'quantity']}
                        label={i === 0 ? t('quantity') : undefined}
                        rules={[
                          {
                            required: true,
                            type: 'integer',
                            min: 1,
                            max: MAX_EDIT_QUANTITY,
                            message: t('quantityLimit', { max: MAX_EDIT_QUANTITY }),
                          },
                        ]}
                      >
                        <InputNumber
                          id={`manual-qty-${i + 1}`}
                          min={1}
                          max={MAX_EDIT_QUANTITY}
                          precision={0}
                          style={{ width: '100%' }}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={10} md={6}>
                      <Form.Item
                        name={[f.name, 'price']}
                        label={i === 0 ? t('manualLineUnit') : undefined}
                        rules={[...required(t('manualLineUnit')), amountRule]}
                      >
                        <Input inputMode="decimal" prefix="¥" id={`manual-price-${i + 1}`} />
                      </Form.Item>
                    </Col>
                    <Col xs={6} md={3}>
                      <Form.Item label={i === 0 ? ' ' : undefined}>
                        <Button
                          icon={<DeleteOutlined />}
                          onClick={() => remove(f.name)}
                          disabled={fields.length === 1}
                          aria-label={t('manualRemoveLine')}
                        >
                          {t('manualRemoveLine')}
                        </Button>
                      </Form.Item>
                    </Col>
                  </Row>
                ))}
                <Form.ErrorList errors={errors} />
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ quantity: 1 })}
                  data-testid="manual-add-line"
                >
                  {t('manualAddLine')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Card size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16} align="bottom">
            <Col xs={12} md={6}>
              <Form.Item name="shipping" label={t('manualShipping')} rules={[amountRule]}>
                <Input inputMode="decimal" prefix="¥" id="manual-shipping" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="discount" label={t('manualDiscount')} rules={[amountRule]}>
                <Input inputMode="decimal" prefix="¥" id="manual-discount" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Descriptions size="small" column={2} style={{ marginBottom: 24 }}>
                <Descriptions.Item label={t('manualGoods')}>
                  {formatMoney(goods, CURRENCY, locale)}
                </Descriptions.Item>
                <Descriptions.Item label={t('manualTotal')}>
                  <Typography.Text strong data-testid="manual-total">
                    {formatMoney(Math.max(0, total), CURRENCY, locale)}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Col>
          </Row>
          {create.error ? (
            <div style={{ marginBottom: 16 }}>
              <ErrorAlert error={create.error} />
            </div>
          ) : null}
          <Space>
            <Button type="primary" htmlType="submit" loading={create.busy} data-testid="manual-submit">
              {t('manualSubmit')}
            </Button>
            <Link to="/orders">{t('manualCancel')}</Link>
          </Space>
        </Card>
      </Form>
    </div>
  );
}
