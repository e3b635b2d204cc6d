import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor?: string;
}

export interface ConnectionShape<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/**
 * Relay-style connection types: `<Name>Connection` with `<Name>Edge`s. With `totalCountIsExact`
 * (its description) the connection also says whether `totalCount` stopped at a cap.
 */
export function connectionOf<T extends object>(name: string, Node: ClassType<T>, options: { totalCountIsExact?: string } = {}) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  class Connection implements ConnectionShape<T> {
    @Field(() => Int)
    totalCount!: number;

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    totalCountIsExact?: boolean;
  }
  if (options.totalCountIsExact) {
    Field(() => Boolean, { description: options.totalCountIsExact })(Connection.prototype, 'totalCountIsExact');
  }
  ObjectType(`${name}Connection`)(Connection);
  return Connection;
}

export const PAGE_MAX = 200;
