import { Button, Space } from 'antd';
import type { CursorPager } from './hooks.ts';
import { useT } from './i18n.tsx';

/** Previous / next buttons under a keyset-paged table. */
export function PagerButtons({ pager, testId }: { pager: CursorPager<unknown>; testId?: string }) {
  const t = useT();
  return (
    <Space style={{ marginTop: 8 }} data-testid={testId}>
      <Button disabled={!pager.canPrev} onClick={pager.prev}>
        {t('prevPage')}
      </Button>
      <Button disabled={!pager.canNext} onClick={pager.next}>
        {t('nextPage')}
      </Button>
    </Space>
  );
}
