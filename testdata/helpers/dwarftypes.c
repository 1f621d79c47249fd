// dwarftypes passes its data as void pointers and an int, so that a uprobe
// script must cast to the types its DWARF defines (a typedef of an
// anonymous struct, a struct, a union, an enum), for the tests of types
// read from a binary's debug information (built with gcc -g -O0).
//
//	dwarftypes   calls use() once.
typedef struct {
	int a;
	char name[8];
} item_t;

struct node {
	long value;
	struct node *next;
};

union word {
	int i;
	unsigned char bytes[4];
};

enum color { RED = 1, GREEN = 2 };

__attribute__((noinline)) int use(void *item, void *node, void *word, int color) {
	return ((item_t *)item)->a + (int)((struct node *)node)->value + ((union word *)word)->i + color;
}

int main(void) {
	item_t it = {42, "hi"};
	struct node tail = {-7, 0};
	struct node head = {5, &tail};
	union word w = {.i = 0x01020304};
	return use(&it, &head, &w, GREEN) == 0;
}
