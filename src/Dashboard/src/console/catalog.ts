// The product catalog as OpenMeter's API shapes it: plan versions with phases and rate cards, and features.

/** OpenMeter's rate card price: flat, unit, tiered or package (amounts as decimal strings). */
export interface Price {
  type: string;
  amount?: string;
  paymentTerm?: string;
  mode?: string;
  tiers?: { upToAmount?: string | null; unitPrice?: { amount: string } | null; flatPrice?: { amount: string } | null }[];
  quantityPerPackage?: string;
  minimumAmount?: string;
  maximumAmount?: string;
}

export interface RateCard {
  type: string;
  key: string;
  name: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
  featureKey?: string | null;
  billingCadence?: string | null;
  price?: Price | null;
  discounts?: unknown;
  entitlementTemplate?: unknown;
}

export interface PlanPhase {
  key: string;
  name: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
  duration: string | null;
  rateCards: RateCard[];
}

export interface Plan {
  id: string;
  key: string;
  version: number;
  name: string;
  description?: string | null;
  metadata?: Record<string, string> | null;
  currency: string;
  billingCadence: string;
  proRatingConfig?: { enabled: boolean; mode: string };
  status: 'draft' | 'scheduled' | 'active' | 'archived';
  effectiveFrom: string | null;
  effectiveTo: string | null;
  updatedAt: string;
  phases: PlanPhase[];
}

export interface Feature {
  id: string;
  key: string;
  name: string;
  meterSlug?: string | null;
}
