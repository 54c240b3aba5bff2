/**
 * The Online Boutique call graph (reference §6.2) as the routes a shopper hits on the frontend and
 * the gRPC calls each one makes, in order, the way the real Go frontend and checkout make them
 * (sequentially; the first failing required call ends the request). Optional calls (ads, the order
 * confirmation e-mail) only log a warning when they fail.
 */
export interface RpcCall {
  /** The callee component. */
  service: string;
  method: string;
  /** A failure is logged as a warning and the caller carries on. */
  optional?: boolean;
  /** How many times the caller makes this call (e.g. one Convert per displayed price). */
  repeat?: number;
  /** The calls the callee makes while serving this one. */
  calls?: RpcCall[];
}

export interface FrontendRoute {
  method: 'GET' | 'POST';
  /** The route template (span name, `http.route`). */
  route: string;
  /** Relative frequency. */
  weight: number;
  /** Status on success (the cart form redirects). */
  status: 200 | 302;
  calls: RpcCall[];
}

/** The product ids of the real catalogue. */
export const PRODUCT_IDS = [
  'OLJCESPC7Z',
  '66VCHSJNUP',
  '1YMWWN1N4O',
  'L9ECAV7KIM',
  '2ZYFJ3GM2N',
  '0PUK6V6EV0',
  'LS4PSXUNUM',
  '9SIQT8TOJO',
  '6E92ZMYYFZ',
] as const;

const recommendations: RpcCall = {
  service: 'recommendation',
  method: 'ListRecommendations',
  calls: [{ service: 'productcatalog', method: 'ListProducts' }],
};
const currencies: RpcCall = { service: 'currency', method: 'GetSupportedCurrencies' };
const ads: RpcCall = { service: 'ad', method: 'GetAds', optional: true };

export const FRONTEND_ROUTES: readonly FrontendRoute[] = [
  {
    method: 'GET',
    route: '/',
    weight: 40,
    status: 200,
    calls: [
      currencies,
      { service: 'productcatalog', method: 'ListProducts' },
      { service: 'cart', method: 'GetCart' },
      { service: 'currency', method: 'Convert', repeat: 3 },
      ads,
    ],
  },
  {
    method: 'GET',
    route: '/product/{id}',
    weight: 35,
    status: 200,
    calls: [
      currencies,
      { service: 'productcatalog', method: 'GetProduct' },
      { service: 'cart', method: 'GetCart' },
      { service: 'currency', method: 'Convert' },
      recommendations,
      ads,
    ],
  },
  {
    method: 'POST',
    route: '/cart',
    weight: 10,
    status: 302,
    calls: [
      { service: 'productcatalog', method: 'GetProduct' },
      { service: 'cart', method: 'AddItem' },
    ],
  },
  {
    method: 'GET',
    route: '/cart',
    weight: 10,
    status: 200,
    calls: [
      currencies,
      { service: 'cart', method: 'GetCart' },
      recommendations,
      { service: 'shipping', method: 'GetQuote' },
      { service: 'currency', method: 'Convert', repeat: 2 },
      { service: 'productcatalog', method: 'GetProduct' },
    ],
  },
  {
    method: 'POST',
    route: '/cart/checkout',
    weight: 5,
    status: 200,
    calls: [
      {
        service: 'checkout',
        method: 'PlaceOrder',
        calls: [
          { service: 'cart', method: 'GetCart' },
          { service: 'productcatalog', method: 'GetProduct' },
          { service: 'currency', method: 'Convert' },
          { service: 'shipping', method: 'GetQuote' },
          { service: 'currency', method: 'Convert' },
          { service: 'payment', method: 'Charge' },
          { service: 'shipping', method: 'ShipOrder' },
          { service: 'cart', method: 'EmptyCart' },
          { service: 'email', method: 'SendOrderConfirmation', optional: true },
        ],
      },
      recommendations,
      currencies,
    ],
  },
];

/** Components that take part in the Online Boutique graph. */
export const BOUTIQUE_SERVICES: ReadonlySet<string> = new Set([
  'frontend',
  'productcatalog',
  'checkout',
  'cart',
  'currency',
  'payment',
  'email',
  'shipping',
  'recommendation',
  'ad',
]);

/** What the caller says when a call fails (the real services' wording where there is one). */
const FAILURE_CONTEXT: Record<string, string> = {
  'productcatalog.GetProduct': 'could not retrieve product',
  'productcatalog.ListProducts': 'could not retrieve products',
  'currency.GetSupportedCurrencies': 'could not retrieve currencies',
  'currency.Convert': 'failed to convert price',
  'cart.GetCart': 'could not retrieve cart',
  'cart.AddItem': 'failed to add to cart',
  'cart.EmptyCart': "failed to empty user's cart during checkout",
  'recommendation.ListRecommendations': 'failed to get product recommendations',
  'shipping.GetQuote': 'failed to get shipping quote',
  'shipping.ShipOrder': 'shipping error',
  'checkout.PlaceOrder': 'failed to complete the order',
  'payment.Charge': 'failed to charge card',
  'email.SendOrderConfirmation': 'failed to send order confirmation',
  'ad.GetAds': 'failed to retrieve ads',
};

export function failureContext(call: RpcCall): string {
  return FAILURE_CONTEXT[`${call.service}.${call.method}`] ?? `call to ${call.service} ${call.method} failed`;
}
