/* DocIntake fixture: a tiny program whose ELF binary is uploaded as "invoice.pdf". */
#include <stdio.h>

int main(void) {
    puts("this is not an invoice");
    return 0;
}
