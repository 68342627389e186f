import Svg, { Circle } from 'react-native-svg';
import { colors } from './kit';

/** A ring that empties as the period runs out (`fraction` 0 = fresh, 1 = about to change). */
export function CountdownRing({ fraction, size = 28 }: { fraction: number; size?: number }) {
  const r = size / 2 - 3;
  const c = 2 * Math.PI * r;
  const left = Math.min(1, Math.max(0, 1 - fraction));
  return (
    <Svg width={size} height={size} accessibilityElementsHidden importantForAccessibility="no-hide-descendants">
      <Circle cx={size / 2} cy={size / 2} r={r} stroke={colors.border} strokeWidth={4} fill="none" />
      <Circle
        cx={size / 2}
        cy={size / 2}
        r={r}
        stroke={left < 0.2 ? colors.danger : colors.brand}
        strokeWidth={4}
        fill="none"
        strokeDasharray={`${c * left} ${c}`}
        transform={`rotate(-90 ${size / 2} ${size / 2})`}
      />
    </Svg>
  );
}
