/**
 * The api's gRPC server (`shop.v1.Catalog`, h2c): GetProduct answers
 * NOT_FOUND for unknown ids, and a small share of calls UNAVAILABLE, so the
 * capture has gRPC errors too.
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { CATALOG_SERVICE } from './catalog-grpc.js';
import type { ListRequest, Product } from './proto.js';
import type { Shop } from './shop.js';
import { MAX_LIST } from './api-http.js';

/** Share of gRPC calls answered UNAVAILABLE ("inventory shard busy"). */
export const GRPC_UNAVAILABLE_RATE = 0.03;

type Done<T> = sendUnaryData<T>;

function failed(err: unknown): { code: status; details: string } {
  return { code: status.INTERNAL, details: err instanceof Error ? err.message : 'internal error' };
}

export async function startGrpcApi(shop: Shop, host: string, port: number): Promise<Server> {
  const impl: UntypedServiceImplementation = {
    GetProduct: (call: ServerUnaryCall<number, Product>, done: Done<Product>) => {
      if (Math.random() < GRPC_UNAVAILABLE_RATE) return done({ code: status.UNAVAILABLE, details: 'inventory shard busy, retry later' });
      shop.product(call.request).then(
        (p) => (p === null ? done({ code: status.NOT_FOUND, details: `no product ${call.request}` }) : done(null, p)),
        (err: unknown) => done(failed(err)),
      );
    },
    ListProducts: (call: ServerUnaryCall<ListRequest, Product[]>, done: Done<Product[]>) => {
      const limit = Math.min(Math.max(call.request.limit, 1), MAX_LIST);
      shop.list(call.request.category, limit).then((l) => done(null, l), (err: unknown) => done(failed(err)));
    },
  };
  const server = new Server();
  server.addService(CATALOG_SERVICE, impl);
  await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return server;
}
