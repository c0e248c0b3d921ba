import { UnorderedListOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'orders',
  order: 20,
  permission: 'orders:read',
  menu: { path: '/orders', label: { 'zh-CN': '订单', 'en-US': 'Orders' }, icon: UnorderedListOutlined },
  routes: [
    { path: '/orders', component: lazy(() => import('./OrderList.tsx')) },
    { path: '/orders/new', component: lazy(() => import('./manual/ManualOrder.tsx')) },
    { path: '/orders/:id', component: lazy(() => import('./OrderDetail.tsx')) },
  ],
};
