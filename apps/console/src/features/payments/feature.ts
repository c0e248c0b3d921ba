import { WalletOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'payments',
  order: 48,
  permission: 'payments:read',
  menu: { path: '/payments', label: { 'zh-CN': '支付', 'en-US': 'Payments' }, icon: WalletOutlined },
  routes: [{ path: '/payments', component: lazy(() => import('./Payments.tsx')) }],
};
