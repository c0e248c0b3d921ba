import { AuditOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'audit',
  order: 120,
  permission: 'audit:read',
  menu: {
    path: '/admin/audit',
    label: { 'zh-CN': '审计日志', 'en-US': 'Audit log' },
    icon: AuditOutlined,
    group: 'admin',
  },
  routes: [{ path: '/admin/audit', component: lazy(() => import('./Audit.tsx')) }],
};
