import { PlusOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { messages } from '../messages.ts';

/** 手工建单 from the order list, for whoever may approve orders. */
export function ManualOrderButton() {
  const t = useT(messages);
  const { can } = useSession();
  const navigate = useNavigate();
  if (!can('orders:review')) return null;
  return (
    <Button
      icon={<PlusOutlined />}
      onClick={() => navigate('/orders/new')}
      data-testid="manual-order-open"
      style={{ marginLeft: 12 }}
    >
      {t('manualOrder')}
    </Button>
  );
}
