import { ORDER_TABS, type OrderCountsResponse, SHIP_DEADLINE_HOURS } from '@orderhub/contracts';
import { Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import { errorText } from '../../../shared/hooks.ts';
import { useLocale, useT } from '../../../shared/i18n.tsx';
import {
  activeTab,
  type OrderFilters,
  QUICK_DAYS,
  QUICK_FLAGS,
  type QuickDay,
  type QuickFlag,
} from '../filters.ts';
import { messages } from '../messages.ts';

const DAY_LABEL: Record<QuickDay, string> = {
  today: 'quickToday',
  yesterday: 'quickYesterday',
  '7d': 'quick7d',
};
const FLAG_LABEL: Record<QuickFlag, string> = {
  buyerRemark: 'quickBuyerRemark',
  sellerRemark: 'quickSellerRemark',
  overdue: 'quickOverdue',
};

/**
 * The status tabs over the list with the number of orders each holds under the other filters (one
 * call to /api/orders/counts), the total, and the quick filters. Everything lands in the URL.
 */
export function StatusTabs({
  filters,
  counts,
  countsError,
  onApply,
}: {
  filters: OrderFilters;
  counts: OrderCountsResponse | undefined;
  countsError: unknown;
  onApply: (f: OrderFilters) => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const active = activeTab(filters);
  const shownTotal = counts ? (active ? counts.tabs[active] : undefined) : undefined;
  return (
    <div data-testid="status-tabs">
      <Tabs
        size="small"
        tabBarGutter={20}
        activeKey={active ?? ''}
        onChange={(key) => onApply({ ...filters, tab: key === 'all' ? undefined : key, status: [] })}
        tabBarExtraContent={
          <Typography.Text type="secondary" data-testid="total-count" data-total={shownTotal ?? ''}>
            {shownTotal !== undefined ? t('totalCount', { n: shownTotal }) : null}
          </Typography.Text>
        }
        items={ORDER_TABS.map((tab) => ({
          key: tab.key,
          label: (
            <span data-tab={tab.key} style={{ whiteSpace: 'nowrap' }}>
              {locale === 'zh-CN' ? tab.zh : tab.en}{' '}
              <span
                data-tab-count={tab.key}
                style={{
                  color:
                    tab.key === 'exception' && (counts?.tabs[tab.key] ?? 0) > 0
                      ? '#cf1322'
                      : 'rgba(0,0,0,0.45)',
                  fontVariantNumeric: 'tabular-nums',
                }}
              >
                {counts ? (counts.tabs[tab.key] ?? 0) : '…'}
              </span>
            </span>
          ),
        }))}
      />
      {countsError ? (
        <Typography.Text type="danger" style={{ display: 'block', marginBottom: 8 }}>
          {errorText(countsError, locale)}
        </Typography.Text>
      ) : null}
      <Space size={[4, 8]} wrap style={{ marginBottom: 12 }} data-testid="quick-filters">
        <Typography.Text type="secondary">{t('quickFilters')}</Typography.Text>
        {QUICK_DAYS.map((d) => (
          <Tag.CheckableTag
            key={d}
            data-quick={d}
            checked={filters.when === d}
            onChange={(on) =>
              onApply({
                ...filters,
                when: on ? d : undefined,
                ...(on ? { day: undefined, from: undefined, to: undefined } : {}),
              })
            }
          >
            {t(DAY_LABEL[d])}
          </Tag.CheckableTag>
        ))}
        {QUICK_FLAGS.map((k) => {
          const tag = (
            <Tag.CheckableTag
              key={k}
              data-quick={k}
              checked={Boolean(filters[k])}
              onChange={(on) => onApply({ ...filters, [k]: on || undefined })}
            >
              {t(FLAG_LABEL[k])}
            </Tag.CheckableTag>
          );
          return k === 'overdue' ? (
            <Tooltip key={k} title={t('quickOverdueHint', { h: SHIP_DEADLINE_HOURS })}>
              {tag}
            </Tooltip>
          ) : (
            tag
          );
        })}
      </Space>
    </div>
  );
}
