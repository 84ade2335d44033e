import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

/** The CloudFormation resource specification, as `@aws-cdk/aws-service-spec` ships it, behind the few reads we need. */
export interface ResourceSpec {
  resource(type: string): Resource | undefined;
  typeDefinition(type: PropertyType & { type: 'ref' }): TypeDefinition;
}

export type { Property, PropertyType, Resource, TypeDefinition };
export { Deprecation } from '@aws-cdk/service-spec-types';

/** Loads the specification once (~1 s); share the result between checks. */
export async function loadResourceSpec(): Promise<ResourceSpec> {
  return wrap(await loadAwsServiceSpec());
}

function wrap(db: SpecDatabase): ResourceSpec {
  const byType = new Map(db.all('resource').map((resource) => [resource.cloudFormationType, resource]));
  return {
    resource: (type) => byType.get(type),
    typeDefinition: (type) => db.get('typeDefinition', type.reference),
  };
}
