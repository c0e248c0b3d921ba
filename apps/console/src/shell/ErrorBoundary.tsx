import { Component, type ReactNode } from 'react';
import { ErrorAlert } from '../shared/ui.tsx';

interface Props {
  children: ReactNode;
  resetKey: string;
}

/** A page that throws while rendering shows the error instead of a blank screen. */
export class ErrorBoundary extends Component<Props, { error: unknown; key: string }> {
  override state = { error: null as unknown, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: unknown; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override render() {
    if (this.state.error)
      return <ErrorAlert error={this.state.error} onRetry={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}
