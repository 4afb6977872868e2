"""Files recorded before folders existed, as the migration into the root reads and files them."""

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key, live_values, set_expression, unfiled_file_of
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import UnfiledFile


class UnfiledRecords(TableAccess):
    @translate_aws_errors
    async def list_unfiled(self, user_id: str) -> list[UnfiledFile]:
        files: list[UnfiledFile] = []
        async for records in self._items_of(user_id, FilterExpression="attribute_not_exists(kind)"):
            files += map(unfiled_file_of, records)
        return files

    @translate_aws_errors
    async def file_into_root(self, file: UnfiledFile, *, name: str) -> None:
        item = file.filed_in_root(name)
        values = {**live_values(item), "kind": {"S": "file"}, "createdAt": {"S": file.upload_date}}
        expression, names, attribute_values = set_expression(values)
        update = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(file.user_id, file.file_id),
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(#kind)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": attribute_values,
            }
        }
        cancelled = await self._transact(Transaction().add("row", update).add("guard", self._take_guard(item)))
        # A row filed already (or gone) is what a second run finds: nothing to do.
        if cancelled is None or cancelled.refused("row"):
            return
        if cancelled.refused("guard"):
            raise await self._name_taken(item)
        raise ServiceUnavailable()
